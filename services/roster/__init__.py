"""The town's roster: units, staff and households read from a spreadsheet and validated.

Sources
    An ``.xlsx`` workbook with three sheets, or a folder with three CSV files
    (``units.csv``, ``staff.csv``, ``households.csv``; UTF-8 with or without BOM, or
    GB18030 as Excel on Chinese Windows saves it). Sheet and file names are matched
    without regard to case, spaces or ``*``:

    ========== ============================================================
    sheet      also accepted
    ========== ============================================================
    units      unit, 单元, 单元表, 网格单元, 组织架构
    staff      人员, 人员表, 网格员, 工作人员
    households household, 住户, 住户表, 农户, 户籍
    ========== ============================================================

    The header is the first row (within the first ten) that names at least two known
    columns, so a title row above it is fine; line numbers are the spreadsheet's own.
    Column order is free, unknown columns are ignored, blank rows are skipped.

Columns (``*`` = the column must exist; header aliases in brackets)
    units: code* (编码, 代码, 单元编码), name* (名称, 单元名称), level* 0-4 (层级, 级别;
    also ``L3``, 县/镇/村/社区/网格/微网格), parent_code* (上级编码, 上级代码; empty for
    the county (level 0, at most one) and, without a county, for the towns; with one, every
    town's is the county; else a unit exactly one level up), lat (纬度), lon (经度),
    radius_m (半径, 半径(米)) — the unit's centre point and radius in metres, short
    (简称, 前缀; towns only, 1-8 Latin letters or digits, unique; derived from the code when
    empty) — the town's prefix in report numbers (``DTY-178``).

    staff: code*, name* (姓名), phone* (电话, 手机, 联系电话), level*,
    unit_code* (所属单元, 单元编码, unit_codes) — several units as ``A;B`` (``;``, ``；``,
    ``,``, spaces) or by repeating the row with the same code; all of the staff's level.

    households: code* (户编码, 户号), micro_grid_code* (微网格编码, 微网格),
    head_name* (户主, 户主姓名), address (地址, 住址), phone, members (人口, 人数; a
    positive whole number, 1 if empty), tags (标签; separated by ``;`` ``,`` ``、`` or
    spaces): elderly_alone (独居老人), pensioner (养老金领取; ``pensioner:7`` = pension
    authentication due in July), disabled (残疾), low_income (低保).

Phones are mainland mobiles (``13912345678``) or landlines (``0731-87654321``,
``073187654321``); spaces and dashes are tolerated. Numbers Excel stored as numbers are
read back as text without a trailing ``.0``.
"""

from __future__ import annotations

from pathlib import Path

from models.roster import (
    HouseholdRow,
    ImportSummary,
    KindCounts,
    Roster,
    RosterError,
    RosterErrors,
    StaffRow,
    UnitRow,
)
from services.roster.reader import read_tables
from services.roster.validate import validate

__all__ = [
    "HouseholdRow",
    "ImportSummary",
    "KindCounts",
    "Roster",
    "RosterError",
    "RosterErrors",
    "StaffRow",
    "UnitRow",
    "read_roster",
]


def read_roster(path: str | Path) -> Roster | RosterErrors:
    """The roster at `path` (workbook or CSV folder), or every rejected row and missing piece."""
    tables, errors = read_tables(path)
    return validate(tables, errors)
