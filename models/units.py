"""The grid: units of four levels, the staff who hold them, the households they serve."""

from __future__ import annotations

from enum import IntEnum

from pydantic import BaseModel, ConfigDict


class Level(IntEnum):
    """Grid level: 1 town, 2 village, 3 grid, 4 micro-grid."""

    TOWN = 1
    VILLAGE = 2
    GRID = 3
    MICRO_GRID = 4

    @property
    def parent(self) -> Level | None:
        """The level above, or None for the town."""
        return Level(self - 1) if self > Level.TOWN else None


class Unit(BaseModel):
    """One unit of the grid tree."""

    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    name: str
    level: Level
    parent_id: int | None
    ancestors: tuple[int | None, int | None, int | None, int | None]  # l1..l4 ids, self included
    active: bool = True
    center_lat: float | None = None
    center_lon: float | None = None
    radius_m: float | None = None

    def ancestor(self, level: Level) -> int | None:
        """The id of this unit's ancestor (or itself) at `level`."""
        return self.ancestors[level - 1]

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
