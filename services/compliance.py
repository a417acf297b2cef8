"""Compliance of any unit at any moment: contacts this month, visits this quarter, check-ins
this week, per sub-unit and per named worker. Digests and the assessment call `compliance`.

Three queries per unit whatever its size (households with their latest contact and visit,
L4 workers, L3 workers with their check-ins), then pure domain code (models.compliance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock, to_ts
from bot.storage import contacts as contact_store
from bot.storage import grid
from bot.storage import households as household_store
from bot.storage.db import Database
from models.compliance import Compliance, build_compliance
from models.contacts import Household
from models.periods import Period, month_of, quarter_of, week_of
from models.permissions import Actor
from models.units import Level, Unit

__all__ = ["Compliance", "Due", "compliance", "due_for"]


async def compliance(db: Database, tz: ZoneInfo, unit: Unit, at: datetime) -> Compliance:
    """Compliance of `unit`'s subtree as it stood at `at` (months, quarters and weeks are
    the town's, in `tz`); pass the end of a past period to look back at it."""
    month, quarter, week = month_of(at, tz), quarter_of(at, tz), week_of(at, tz)
    ts = to_ts(at)
    async with db.transaction():
        facts = await household_store.facts(db, [unit], ts)
        children = await grid.children(db, unit.id) if unit.level < Level.MICRO_GRID else []
        workers = await contact_store.staff_units(
            db, [unit], Level.MICRO_GRID, to_ts(week.start), ts
        )
        grid_workers = (
            await contact_store.staff_units(db, [unit], Level.GRID, to_ts(week.start), ts)
            if unit.level <= Level.GRID
            else []
        )
    return build_compliance(unit, at, month, quarter, week, facts, children, workers, grid_workers)


@dataclass(frozen=True)
class Due:
    """The households of a staff member's units still due this month and this quarter."""

    month: Period
    quarter: Period
    total: int
    contact: list[Household]
    visit: list[Household]
    unlinked: int = 0  # households with no linked account ("no phone"): collected in person


async def due_for(db: Database, clock: Clock, tz: ZoneInfo, actor: Actor) -> Due:
    """What /tasks lists: households of my units not contacted this month / visited this
    quarter (one query over my units)."""
    now = clock.now()
    month, quarter = month_of(now, tz), quarter_of(now, tz)
    async with db.transaction():
        facts = [
            f for f in await household_store.facts(db, actor.units, to_ts(now)) if f.counts_at(now)
        ]
    return Due(
        month=month,
        quarter=quarter,
        total=len(facts),
        contact=[f.household for f in facts if not f.contacted(month)],
        visit=[f.household for f in facts if not f.visited(quarter)],
        unlinked=sum(1 for f in facts if not f.household.linked),
    )
