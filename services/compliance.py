"""Compliance of any unit at any moment: contacts this month, visits this quarter, check-ins
this week, per sub-unit and per named worker. Digests and the assessment call `compliance`.

A few queries per unit whatever its size: each micro-grid's households counted (and how many
were contacted and visited) in SQL — a micro-grid's own households loaded, since its lists
name them —, the L4 workers, the L3 workers with their check-ins; then pure domain code
(models.compliance). A county's takes the same queries town by town, the workers as plain
rows, and builds the figures only of the workers its digest names (models.compliance_county).
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
from models.compliance import Compliance, build_compliance, merge_towns, tally
from models.compliance_county import summarise_town
from models.contacts import Household
from models.periods import Period, month_of, quarter_of, week_of
from models.permissions import Actor
from models.units import Level, Unit

__all__ = ["Compliance", "Due", "compliance", "due_for"]

# Workers kept at each end of every town's list when a county's compliance is built.
COUNTY_WORKERS_KEPT = 10
# Households named in each of /tasks' lists; the rest are counted.
DUE_LISTED = 15


async def compliance(db: Database, tz: ZoneInfo, unit: Unit, at: datetime) -> Compliance:
    """Compliance of `unit`'s subtree as it stood at `at` (months, quarters and weeks are
    the town's, in `tz`); pass the end of a past period to look back at it.

    A county's keeps of each town only its totals and its extreme workers (see `_county`)."""
    month, quarter, week = month_of(at, tz), quarter_of(at, tz), week_of(at, tz)
    ts = to_ts(at)
    if unit.level is Level.COUNTY:
        towns = await grid.children(db, unit.id)
        if towns:
            return await _county(db, unit, towns, at, month, quarter, week)
    async with db.transaction():
        # A micro-grid's households are few and its lists name them; above it, only counts.
        facts = (
            await household_store.facts(db, [unit], ts) if unit.level is Level.MICRO_GRID else None
        )
        tallies = (
            tally(facts, at, month, quarter)
            if facts is not None
            else await household_store.tallies(
                db, unit, ts, to_ts(month.start), to_ts(quarter.start)
            )
        )
        children = await grid.children(db, unit.id) if unit.level < Level.MICRO_GRID else []
        workers = await contact_store.staff_units(
            db, [unit], Level.MICRO_GRID, to_ts(week.start), ts
        )
        grid_workers = (
            await contact_store.staff_units(db, [unit], Level.GRID, to_ts(week.start), ts)
            if unit.level <= Level.GRID
            else []
        )
    return build_compliance(
        unit, at, month, quarter, week, tallies, children, workers, grid_workers, facts
    )


async def _county(
    db: Database,
    county: Unit,
    towns: list[Unit],
    at: datetime,
    month: Period,
    quarter: Period,
    week: Period,
) -> Compliance:
    """A county's compliance town by town (one town's rows in memory at a time): its
    micro-grids' counts (no household comes into memory), its L4 workers' micro-grids as
    plain rows, its grid workers with their check-ins; each town reduced to what the county
    shows before the next."""
    ts, week_start = to_ts(at), to_ts(week.start)
    summaries = []
    async with db.transaction():
        for town in towns:
            counts = await household_store.micro_grid_counts(
                db, town, ts, to_ts(month.start), to_ts(quarter.start)
            )
            links = await contact_store.worker_links(db, town)
            grid_workers = await contact_store.staff_units(db, [town], Level.GRID, week_start, ts)
            summaries.append(
                summarise_town(
                    town, at, month, quarter, week, counts, links, grid_workers, COUNTY_WORKERS_KEPT
                )
            )
    return merge_towns(county, summaries)


@dataclass(frozen=True)
class Due:
    """The households of a staff member's units still due this month and this quarter: how
    many, and the first few of each list (a cadre's town or county is never loaded whole)."""

    month: Period
    quarter: Period
    total: int
    contact: list[Household]
    visit: list[Household]
    contact_count: int
    visit_count: int
    unlinked: int = 0  # households with no linked account ("no phone"): collected in person


async def due_for(
    db: Database, clock: Clock, tz: ZoneInfo, actor: Actor, listed: int = DUE_LISTED
) -> Due:
    """What /tasks lists: households of my units not contacted this month / visited this
    quarter — counted in SQL, the first `listed` of each named."""
    now = clock.now()
    month, quarter = month_of(now, tz), quarter_of(now, tz)
    async with db.transaction():
        counts, contact, visit = await household_store.due(
            db, actor.units, to_ts(now), to_ts(month.start), to_ts(quarter.start), listed
        )
    return Due(
        month=month,
        quarter=quarter,
        total=counts.total,
        contact=contact,
        visit=visit,
        contact_count=counts.total - counts.contacted,
        visit_count=counts.total - counts.visited,
        unlinked=counts.unlinked,
    )
