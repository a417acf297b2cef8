"""A deterministic, fictional sample of Datunying town (大屯营镇) to try the bot with.

1 town, 7 villages, 81 grids, 1084 micro-grids, their staff and about 13 000 households;
every name and phone number is made up. `build_sample_county` puts N towns shaped alike
under one county (the first is Datunying as `build_sample_town` makes it).

`write_roster` and `write_template` are re-exported here: a path ending in ``.xlsx`` gets a
workbook, any other path is a folder that gets ``units.csv``, ``staff.csv``, ``households.csv``.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

from models.roster import HouseholdRow, Roster, StaffRow, UnitRow
from models.units import Level
from services.roster.aliases import DISABLED, ELDERLY_ALONE, LOW_INCOME, PENSIONER
from services.roster.writer import write_roster, write_template

__all__ = [
    "SEED",
    "TOWN_CODE",
    "build_sample_county",
    "build_sample_town",
    "write_roster",
    "write_template",
]

SEED = 20240601
TOWN_CODE = "DTY"
TOWN_NAME = "大屯营镇"
TOWN_CENTER = (28.2, 112.5)
COUNTY_CODE = "YXX"
COUNTY_NAME = "云溪县"
COUNTY_CADRES = 3
# The other towns of the sample county: (code = report-number prefix, name).
OTHER_TOWNS: tuple[tuple[str, str], ...] = (
    ("HSP", "黄沙坪镇"),
    ("QSP", "青山铺镇"),
    ("BMQ", "白马桥镇"),
    ("LTS", "龙田寺镇"),
    ("JFS", "金凤山镇"),
    ("SXA", "三仙坳镇"),
    ("TLS", "桃林寺镇"),
    ("WFX", "沩丰乡"),
    ("SJW", "双江湾镇"),
    ("GYP", "高云坪镇"),
    ("XHD", "杏花渡镇"),
)

# (village, number of grids): 81 grids in all.
VILLAGES: tuple[tuple[str, int], ...] = (
    ("大屯营村", 13),
    ("三仙坳村", 12),
    ("沩丰村", 11),
    ("金峰村", 12),
    ("桃林社区", 11),
    ("白马桥村", 10),
    ("青龙村", 12),
)
MICRO_GRIDS = 1084
SECOND_GRID_WORKERS = 17  # 81 grids + 17 second workers = 98 L3 workers
VILLAGE_CADRES = 3
TOWN_CADRES = 5
# Real group names the town mentions; they go to the first village.
NAMED_GROUPS = ("益家冲组", "渣塘冲组")

_GROUP_HEADS = (
    "益家 渣塘 杨家 刘家 周家 黄家 彭家 谢家 易家 石塘 枫树 竹山 茶园 大塘 新屋 老屋 上屋 下屋 "
    "檀树 松柏 桐子 杉木 樟树 桃花 荷叶 月塘 金鸡 白果 栗山 柳树 花桥 龙井 凤形 狮子 牛角 马鞍 "
    "鹅公 洪家 罗家 胡家"
).split()
_GROUP_TAILS = "冲 湾 坡 坳 塘 岭 坪 桥 垅 山".split()
_SURNAMES = (
    "刘 王 李 张 陈 周 黄 彭 谢 易 袁 喻 姜 杨 赵 吴 罗 胡 朱 何 邓 曾 肖 廖 文 汤 戴 贺 龚 成"
).split()
_GIVEN = (
    "建 国 华 明 军 平 芳 英 秀 兰 桂 梅 志 伟 强 勇 红 霞 春 燕 德 福 清 文 海 林 玉 凤 金 云 "
    "辉 良 松 丽 娟 敏 静 宏 斌 杰"
).split()
_MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "187")
# 10-15 households per micro-grid, weighted so the town has about 13 000.
_HOUSEHOLD_SIZES = (10, 11, 12, 13, 14, 15)
_HOUSEHOLD_WEIGHTS = (2, 3, 3, 2, 1, 1)
_MEMBER_COUNTS = (1, 2, 3, 4, 5, 6)
_MEMBER_WEIGHTS = (2, 4, 5, 5, 3, 1)
_METRES_PER_DEGREE = 111_000


class _Maker:
    """Draws names, phones and places from one seeded generator, without repeats where needed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.phones: set[str] = set()
        self.staff_names: set[str] = set()

    def name(self) -> str:
        """A common surname with a one- or two-character given name."""
        given = self.rng.choice(_GIVEN)
        if self.rng.random() < 0.7:
            given += self.rng.choice(_GIVEN)
        return self.rng.choice(_SURNAMES) + given

    def staff_name(self) -> str:
        """A name no other staff member has, so that people are easy to tell apart."""
        while (name := self.name()) in self.staff_names:
            pass
        self.staff_names.add(name)
        return name

    def mobile(self) -> str:
        """A mobile number not handed out before."""
        while True:
            phone = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def household_phone(self) -> str:
        """Mostly mobiles, some landlines, a few households without a phone."""
        roll = self.rng.random()
        if roll < 0.85:
            return self.mobile()
        if roll < 0.95:
            return f"0731-8{self.rng.randrange(10**7):07d}"
        return ""

    def near(self, centre: tuple[float, float], spread_m: float) -> tuple[float, float]:
        """A point within `spread_m` metres of `centre`, rounded to about 10 cm."""
        lat, lon = centre
        dlat = self.rng.uniform(-spread_m, spread_m) / _METRES_PER_DEGREE
        dlon = self.rng.uniform(-spread_m, spread_m) / (
            _METRES_PER_DEGREE * math.cos(math.radians(lat))
        )
        return round(lat + dlat, 6), round(lon + dlon, 6)


def build_sample_town(seed: int = SEED) -> Roster:
    """The sample town; the same seed always gives the same roster."""
    return build_sample_county(1, seed)


def town_identity(number: int) -> tuple[str, str]:
    """The code (also its report-number prefix) and name of the county's town `number` (1:
    Datunying)."""
    if number == 1:
        return TOWN_CODE, TOWN_NAME
    if number - 2 < len(OTHER_TOWNS):
        return OTHER_TOWNS[number - 2]
    return f"T{number:03d}", f"第{number}镇"


def build_sample_county(towns: int, seed: int = SEED, *, county: bool | None = None) -> Roster:
    """`towns` towns shaped like the sample town, under one county when there are several
    (or when `county` is true). Deterministic: town 1 is `build_sample_town`'s Datunying
    (its staff codes too); every phone number in the county is different, and the other
    towns' staff codes start with the town's code (`HSP-S4-0001`); county cadres are `S0-…`."""
    if towns < 1:
        raise ValueError("a county needs at least one town")
    with_county = towns > 1 if county is None else county
    maker = _Maker(seed)
    units: list[UnitRow] = []
    staff: list[StaffRow] = []
    households: list[HouseholdRow] = []
    if with_county:
        units.append(UnitRow(code=COUNTY_CODE, name=COUNTY_NAME, level=Level.COUNTY))
    for number in range(1, towns + 1):
        code, name = town_identity(number)
        angle = 2 * math.pi * (number - 2) / max(towns - 1, 1)
        centre = (
            TOWN_CENTER
            if number == 1
            else (TOWN_CENTER[0] + 0.2 * math.sin(angle), TOWN_CENTER[1] + 0.2 * math.cos(angle))
        )
        town = _Town(
            maker,
            code,
            name,
            centre,
            parent=COUNTY_CODE if with_county else None,
            staff_prefix="" if number == 1 else f"{code}-",
        )
        for village_number, (village, grids) in enumerate(VILLAGES, start=1):
            town.village(village_number, village, grids)
        units += town.units
        staff += town.staff
        households += town.households
    if with_county:
        for n in range(1, COUNTY_CADRES + 1):
            staff.append(
                StaffRow(
                    code=f"S0-{n:03d}",
                    name=maker.staff_name(),
                    phone=maker.mobile(),
                    level=Level.COUNTY,
                    unit_codes=(COUNTY_CODE,),
                )
            )
    return Roster(units=tuple(units), staff=tuple(staff), households=tuple(households))


class _Town:
    """Accumulates the tree top-down, numbering staff per level as they are added."""

    def __init__(
        self,
        maker: _Maker,
        code: str = TOWN_CODE,
        name: str = TOWN_NAME,
        centre: tuple[float, float] = TOWN_CENTER,
        *,
        parent: str | None = None,
        staff_prefix: str = "",
    ) -> None:
        self.maker = maker
        self.code = code
        self.centre = centre
        self.staff_prefix = staff_prefix
        self.units = [
            UnitRow(
                code=code,
                name=name,
                level=Level.TOWN,
                parent_code=parent,
                lat=centre[0],
                lon=centre[1],
                radius_m=9000.0,
                short=code,
            )
        ]
        self.staff: list[StaffRow] = []
        self.households: list[HouseholdRow] = []
        self.numbers = {level: itertools.count(1) for level in Level}
        grids = sum(count for _, count in VILLAGES)
        self.sizes = _micro_grid_counts(maker.rng, grids)
        self.two_workers = set(maker.rng.sample(range(grids), SECOND_GRID_WORKERS))
        self.grid_index = 0
        for _ in range(TOWN_CADRES):
            self.add_staff(Level.TOWN, code)

    def add_staff(self, level: Level, unit: str) -> None:
        """One staff member of `level` holding `unit`, coded like `S4-0001`."""
        width = 4 if level == Level.MICRO_GRID else 3
        code = f"{self.staff_prefix}S{int(level)}-{next(self.numbers[level]):0{width}d}"
        self.staff.append(
            StaffRow(
                code=code,
                name=self.maker.staff_name(),
                phone=self.maker.mobile(),
                level=level,
                unit_codes=(unit,),
            )
        )

    def village(self, number: int, name: str, grids: int) -> None:
        """A village on a ring around the town centre, its cadres, grids and everything below."""
        code = f"{self.code}-{number:02d}"
        angle = 2 * math.pi * (number - 1) / len(VILLAGES)
        ring = (self.centre[0] + 0.04 * math.sin(angle), self.centre[1] + 0.04 * math.cos(angle))
        centre = self.maker.near(ring, 800)
        self.units.append(_unit(code, name, Level.VILLAGE, self.code, centre, 2500.0))
        for _ in range(VILLAGE_CADRES):
            self.add_staff(Level.VILLAGE, code)
        sizes = self.sizes[self.grid_index : self.grid_index + grids]
        groups = iter(_group_names(self.maker.rng, sum(sizes), first=number == 1))
        for grid in range(1, grids + 1):
            self.grid(f"{code}-{grid:02d}", f"{name}第{grid}网格", name, centre, groups)

    def grid(
        self, code: str, name: str, village: str, near: tuple[float, float], groups: Iterator[str]
    ) -> None:
        """A grid with one or two L3 workers and its micro-grids."""
        centre = self.maker.near(near, 1500)
        self.units.append(_unit(code, name, Level.GRID, code[:-3], centre, 700.0))
        for _ in range(2 if self.grid_index in self.two_workers else 1):
            self.add_staff(Level.GRID, code)
        for number in range(1, self.sizes[self.grid_index] + 1):
            group = next(groups)
            m_code = f"{code}-{number:03d}"
            m_centre = self.maker.near(centre, 400)
            self.units.append(_unit(m_code, group, Level.MICRO_GRID, code, m_centre, 150.0))
            self.add_staff(Level.MICRO_GRID, m_code)
            self.households.extend(_households(self.maker, m_code, village + group))
        self.grid_index += 1


def _unit(
    code: str, name: str, level: Level, parent: str, centre: tuple[float, float], radius: float
) -> UnitRow:
    """One unit below the town."""
    return UnitRow(
        code=code,
        name=name,
        level=level,
        parent_code=parent,
        lat=centre[0],
        lon=centre[1],
        radius_m=radius,
    )


def _micro_grid_counts(rng: random.Random, grids: int) -> list[int]:
    """Micro-grids per grid, 12-15 each, adding up to exactly `MICRO_GRIDS`."""
    base, extra = divmod(MICRO_GRIDS, grids)
    counts = [base] * grids
    for index in rng.sample(range(grids), extra):
        counts[index] += 1
    for _ in range(grids):
        # Move one micro-grid between two grids so the sizes vary like a real town's.
        give, take = rng.sample(range(grids), 2)
        if counts[give] > 12 and counts[take] < 15:
            counts[give] -= 1
            counts[take] += 1
    return counts


def _group_names(rng: random.Random, count: int, first: bool) -> list[str]:
    """`count` distinct 组 names for one village; the first village gets the named groups."""
    pool = [head + tail + "组" for head in _GROUP_HEADS for tail in _GROUP_TAILS]
    pool = [name for name in pool if name not in NAMED_GROUPS]
    rng.shuffle(pool)
    chosen = pool[:count]
    if first:
        chosen[1] = NAMED_GROUPS[0]
        chosen[4] = NAMED_GROUPS[1]
    return chosen


def _households(maker: _Maker, micro_grid: str, place: str) -> list[HouseholdRow]:
    """The 10-15 households of one micro-grid."""
    rng = maker.rng
    size = rng.choices(_HOUSEHOLD_SIZES, _HOUSEHOLD_WEIGHTS)[0]
    rows = []
    for n in range(1, size + 1):
        tags: list[str] = []
        month: int | None = None
        alone = rng.random() < 0.06
        if alone:
            tags.append(ELDERLY_ALONE)
        if alone or rng.random() < 0.15:
            tags.append(PENSIONER)
            month = rng.randint(1, 12)
        if rng.random() < 0.02:
            tags.append(DISABLED)
        if rng.random() < 0.03:
            tags.append(LOW_INCOME)
        rows.append(
            HouseholdRow(
                code=f"{micro_grid}-{n:02d}",
                micro_grid_code=micro_grid,
                head_name=maker.name(),
                address=f"{place}{n}号",
                phone=maker.household_phone(),
                members=1 if alone else rng.choices(_MEMBER_COUNTS, _MEMBER_WEIGHTS)[0],
                tags=tuple(tags),
                pension_month=month,
            )
        )
    return rows
