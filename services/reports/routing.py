"""Who handles a report: the lowest level whose unit has staff reachable on Telegram."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage import grid
from bot.storage.db import Database
from models.units import Level, Staff, Unit


@dataclass(frozen=True)
class Route:
    """Where a report goes: the level, its unit there, and the staff to tell."""

    level: Level
    unit: Unit
    staff: list[Staff]


async def route_from(db: Database, micro_grid: Unit, start: Level) -> Route:
    """The first unit from `start` upwards (towards the town) with linked staff.

    When nobody in the lineage is linked yet, the report waits at the town level, where it
    shows in every town cadre's /tasks once they link.
    """
    line = {u.level: u for u in await grid.lineage(db, micro_grid)}
    level: Level | None = start
    last: Route | None = None
    while level is not None:
        unit = line.get(level)
        if unit is not None:
            staff = [s for s in await grid.staff_of_unit(db, unit.id) if s.tg_user_id]
            last = Route(level=level, unit=unit, staff=staff)
            if staff:
                return last
        level = level.parent
    if last is None:
        raise LookupError(f"micro-grid {micro_grid.code} has no lineage")
    return last
