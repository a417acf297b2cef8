"""Names the roster accepts: sheets, column headers, levels and tags, in English and Chinese."""

from __future__ import annotations

import re

from models.units import Level

UNITS, STAFF, HOUSEHOLDS = "units", "staff", "households"
SHEETS: tuple[str, ...] = (UNITS, STAFF, HOUSEHOLDS)

SHEET_ALIASES: dict[str, tuple[str, ...]] = {
    UNITS: ("units", "unit", "单元", "单元表", "网格单元", "组织架构"),
    STAFF: ("staff", "人员", "人员表", "网格员", "工作人员"),
    HOUSEHOLDS: ("households", "household", "住户", "住户表", "农户", "户籍"),
}

# Canonical column order per sheet; this is also the order the writer uses.
COLUMNS: dict[str, tuple[str, ...]] = {
    UNITS: ("code", "name", "level", "parent_code", "lat", "lon", "radius_m", "short"),
    STAFF: ("code", "name", "phone", "level", "unit_code"),
    HOUSEHOLDS: (
        "code",
        "micro_grid_code",
        "head_name",
        "address",
        "phone",
        "members",
        "tags",
    ),
}

# Columns a sheet must have; the others may be left out entirely.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    UNITS: ("code", "name", "level", "parent_code"),
    STAFF: ("code", "name", "phone", "level", "unit_code"),
    HOUSEHOLDS: ("code", "micro_grid_code", "head_name"),
}

COLUMN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    UNITS: {
        "code": ("编码", "代码", "单元编码", "单元代码"),
        "name": ("名称", "单元名称"),
        "level": ("层级", "级别"),
        "parent_code": ("parent", "上级编码", "上级代码", "上级单元编码", "父级编码"),
        "lat": ("latitude", "纬度", "中心纬度"),
        "lon": ("lng", "longitude", "经度", "中心经度"),
        "radius_m": ("radius", "半径", "半径(米)", "半径米", "半径(m)"),
        "short": ("prefix", "简称", "前缀", "编号前缀"),
    },
    STAFF: {
        "code": ("编码", "代码", "人员编码", "工号"),
        "name": ("姓名", "名称"),
        "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "电话号码"),
        "level": ("层级", "级别"),
        "unit_code": ("unit_codes", "units", "所属单元", "单元编码", "所属单元编码", "负责单元"),
    },
    HOUSEHOLDS: {
        "code": ("户编码", "户号", "编码"),
        "micro_grid_code": ("micro_grid", "微网格编码", "微网格", "所属微网格", "微网格代码"),
        "head_name": ("户主", "户主姓名"),
        "address": ("地址", "住址", "家庭住址"),
        "phone": ("电话", "手机", "手机号", "联系电话", "电话号码"),
        "members": ("人口", "人数", "家庭人口", "人口数"),
        "tags": ("标签", "类别", "户类别"),
    },
}

LEVEL_ALIASES: dict[str, Level] = {
    "county": Level.COUNTY,
    "县": Level.COUNTY,
    "县区": Level.COUNTY,
    "区县": Level.COUNTY,
    "town": Level.TOWN,
    "镇": Level.TOWN,
    "乡镇": Level.TOWN,
    "village": Level.VILLAGE,
    "community": Level.VILLAGE,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
    "村社区": Level.VILLAGE,
    "grid": Level.GRID,
    "网格": Level.GRID,
    "micro_grid": Level.MICRO_GRID,
    "微网格": Level.MICRO_GRID,
}

ELDERLY_ALONE, PENSIONER, DISABLED, LOW_INCOME = (
    "elderly_alone",
    "pensioner",
    "disabled",
    "low_income",
)
# Canonical tags in the order they are stored, so that equal tag sets compare equal.
KNOWN_TAGS: tuple[str, ...] = (ELDERLY_ALONE, PENSIONER, DISABLED, LOW_INCOME)

TAG_ALIASES: dict[str, str] = {
    "独居老人": ELDERLY_ALONE,
    "独居": ELDERLY_ALONE,
    "养老金领取": PENSIONER,
    "养老金领取人": PENSIONER,
    "养老金": PENSIONER,
    "养老认证": PENSIONER,
    "残疾": DISABLED,
    "残疾人": DISABLED,
    "低保": LOW_INCOME,
    "低保户": LOW_INCOME,
    "低收入": LOW_INCOME,
}

_HEADER_JUNK = re.compile(r"[\s*＊_\-]+")


def header_key(text: str) -> str:
    """Fold a header, sheet or level name: case, spaces, `_`, `-`, `*`, full-width don't matter."""
    folded = text.replace("（", "(").replace("）", ")").replace("－", "-")
    return _HEADER_JUNK.sub("", folded).lower()


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map every folded alias (and canonical name) to its canonical name."""
    found: dict[str, str] = {}
    for canonical, aliases in table.items():
        for alias in (canonical, *aliases):
            found[header_key(alias)] = canonical
    return found


SHEET_LOOKUP: dict[str, str] = _lookup(SHEET_ALIASES)
LEVEL_LOOKUP: dict[str, Level] = {header_key(name): level for name, level in LEVEL_ALIASES.items()}
COLUMN_LOOKUP: dict[str, dict[str, str]] = {
    sheet: _lookup({c: table.get(c, ()) for c in COLUMNS[sheet]})
    for sheet, table in COLUMN_ALIASES.items()
}
