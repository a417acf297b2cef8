"""The grid: units of four levels (five with a county above the towns), the staff who hold
them, the households they serve."""

from __future__ import annotations

from enum import IntEnum

from pydantic import BaseModel, ConfigDict, field_validator

Ancestors = tuple[int | None, int | None, int | None, int | None, int | None]


def five_ancestors(value: object) -> object:
    """Ancestor ids l0..l4; a four-tuple (l1..l4, from before the county level) gets l0 None."""
    if isinstance(value, (tuple, list)) and len(value) == 4:
        return (None, *value)
    return value


class Level(IntEnum):
    """Grid level: 0 county (optional), 1 town, 2 village, 3 grid, 4 micro-grid."""

    COUNTY = 0
    TOWN = 1
    VILLAGE = 2
    GRID = 3
    MICRO_GRID = 4

    @property
    def parent(self) -> Level | None:
        """The level a report climbs to from here, or None for the town: escalation stops
        at the town unless the county takes reports too (see `up_to`)."""
        return Level(self - 1) if self > Level.TOWN else None

    def up_to(self, top: Level) -> Level | None:
        """The level a report climbs to from here when it may climb as far as `top`."""
        return Level(self - 1) if self > top else None


class Unit(BaseModel):
    """One unit of the grid tree."""

    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    name: str
    level: Level
    parent_id: int | None
    ancestors: Ancestors  # l0..l4 ids, self included (l0: the county, None without one)
    active: bool = True
    center_lat: float | None = None
    center_lon: float | None = None
    radius_m: float | None = None
    short: str = ""  # a town's short prefix for report numbers (e.g. DTY); "" elsewhere

    _five_ancestors = field_validator("ancestors", mode="before")(five_ancestors)

    def ancestor(self, level: Level) -> int | None:
        """The id of this unit's ancestor (or itself) at `level`."""
        return self.ancestors[level]

    @property
    def town_id(self) -> int | None:
        """The town this unit lies in (itself for a town; None for the county)."""
        return self.ancestors[Level.TOWN]

    def contains(self, other: Unit) -> bool:
        """Whether `other` is this unit or lies below it."""
        return other.ancestor(self.level) == self.id


class Staff(BaseModel):
    """A worker or cadre from the roster, possibly linked to a Telegram account."""

    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    name: str
    phone: str
    level: Level
    tg_user_id: int | None = None
    active: bool = True
    unit_ids: tuple[int, ...] = ()


class Household(BaseModel):
    """A household of a micro-grid."""

    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    micro_grid_id: int
    head_name: str
    address: str
    phone: str
    members: int
    tags: tuple[str, ...] = ()
    pension_month: int | None = None
    active: bool = True
