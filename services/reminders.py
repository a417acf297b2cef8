"""Reminders: which scheduled runs are due, who gets what, recorded in the send ledger.

A run due now records its messages (pending) in the send ledger, each recipient once per
occurrence; they are then sent in batches, each batch claimed before the messages go out
and finished after, so a restart never sends a message twice and never loses a planned one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.crontab import schedule_trigger
from bot.storage import contacts as contact_store
from bot.storage import grid
from bot.storage import households as household_store
from bot.storage.db import Database
from models.compliance import StaffUnit, workers_due
from models.contacts import Household
from models.periods import Period, local_date, month_of, next_month, quarter_of, week_of
from models.reminders import FAMILY, PERIOD_OF_KIND, ReminderKind
from models.schedule import QuietHours, due_occurrence
from models.units import Level, Unit
from services import ledger
from services.ledger import Entry, Outcome, Planned

# A reminder lists at most this many households (a micro-grid has 10-15).
MAX_LISTED = 40

__all__ = ["Entry", "claim", "failed_sends", "finish", "plan_due", "quiet_hours", "recover"]


def quiet_hours(config: Config) -> QuietHours:
    """The configured quiet hours in the town's zone."""
    r = config.reminders
    return QuietHours(r.quiet_start, r.quiet_end, config.tz)


async def plan_due(
    db: Database, clock: Clock, config: Config, kinds: list[ReminderKind]
) -> list[tuple[ReminderKind, str, int]]:
    """Record the messages of the runs due now for recipients not recorded yet; returns
    (kind, occurrence, number of new messages) of each run that recorded any. Worked out
    town by town, so a county's households are never all in memory at once."""
    now, tz, quiet = clock.now(), config.tz, quiet_hours(config)
    planned = []
    async with db.reading():
        towns: list[list[Unit] | None] = [[town] for town in await grid.towns(db)]
    for kind in kinds:
        exprs = getattr(config.reminders, kind.value)
        if not exprs:
            continue
        due = due_occurrence(schedule_trigger(exprs, tz), PERIOD_OF_KIND[kind], tz, now, quiet)
        if due is None:
            continue
        key = due.key(tz)
        count = 0
        # Pensioners due next month are few: one query for all of them.
        for scope in [None] if kind is ReminderKind.PENSION or not towns else towns:
            async with db.transaction():
                sends = [
                    # The message names its period ('2026-06', '2026-Q2', '2026-W24').
                    p.model_copy(update={"payload": {**p.payload, "period": due.period.key}})
                    for p in await _recipients(db, kind, now, due.period, config, scope)
                ]
                new = await ledger.record(db, clock, kind.ledger_kind, key, sends, due.period.end)
            count += len(new)
        if count:
            planned.append((kind, key, count))
    return planned


async def recover(db: Database, process: str) -> int:
    """Sends another process left half-done become 'unknown' (never resent); returns how many."""
    return await ledger.recover(db, process)


async def claim(
    db: Database, clock: Clock, config: Config, kinds: list[ReminderKind], process: str, limit: int
) -> list[Entry]:
    """The next pending sends to deliver now (none in quiet hours), marked as being sent."""
    if clock.now() in quiet_hours(config):
        return []
    return await ledger.claim(db, clock, [k.ledger_kind for k in kinds], process, limit)


async def finish(db: Database, clock: Clock, outcomes: list[Outcome]) -> None:
    """Record how each claimed send went."""
    await ledger.finish(db, clock, outcomes)


async def failed_sends(db: Database, unit: Unit, since: datetime) -> list[dict[str, Any]]:
    """Reminders that could not be delivered since `since` to people of `unit`'s subtree
    (kind, period, name, code, error: 'forbidden' = blocked or never started the bot,
    'not_linked' = no Telegram account linked), for digests."""
    return await ledger.failed_in(db, FAMILY, unit, since)


def _listed(households: tuple[Household, ...] | list[Household]) -> dict[str, Any]:
    return {
        "count": len(households),
        "households": [
            {
                "name": h.head_name,
                "address": h.address,
                "micro_grid": h.micro_grid_name,
                "no_phone": not h.linked,
            }
            for h in households[:MAX_LISTED]
        ],
    }


def _staff_send(worker: StaffUnit, payload: dict[str, Any]) -> Planned:
    return Planned(
        recipient=f"staff:{worker.staff_id}",
        staff_id=worker.staff_id,
        chat_id=worker.tg_user_id,
        language=worker.language,
        payload=payload,
    )


async def _recipients(
    db: Database,
    kind: ReminderKind,
    now: datetime,
    period: Period,
    config: Config,
    units: list[Unit] | None,
) -> list[Planned]:
    """Who gets this run's message in the subtrees of `units` (None: everywhere)."""
    tz, ts = config.tz, to_ts(now)
    week = week_of(now, tz)
    if kind is ReminderKind.WEEKLY_CHECKIN:
        grid_workers = await contact_store.staff_units(db, units, Level.GRID, to_ts(week.start), ts)
        names = await grid.units_by_ids(db, [w.unit_id for w in grid_workers])
        behind: dict[int, list[StaffUnit]] = {}
        for link in grid_workers:
            if link.last_checkin is None or link.last_checkin < week.start:
                behind.setdefault(link.staff_id, []).append(link)
        return [
            _staff_send(links[0], {"grids": [names[x.unit_id].name for x in links]})
            for links in behind.values()
        ]
    workers = await contact_store.staff_units(db, units, Level.MICRO_GRID, to_ts(week.start), ts)
    if kind is ReminderKind.PENSION:
        return await _pension_sends(db, now, workers, config)
    month, quarter = month_of(now, tz), quarter_of(now, tz)
    # Only the households this kind may list (at county scale most are done already).
    if kind is ReminderKind.MONTHLY_CONTACT:
        facts = await household_store.facts(db, units, ts, contact_due_since=to_ts(month.start))
    else:
        facts = await household_store.facts(db, units, ts, visit_due_since=to_ts(quarter.start))
    figures = workers_due(facts, workers, now, month, quarter)
    first = {w.staff_id: w for w in workers}
    sends = []
    for figure in figures:
        due = figure.due_contact if kind is ReminderKind.MONTHLY_CONTACT else figure.due_visit
        if due:  # a worker with nothing due gets nothing
            sends.append(_staff_send(first[figure.staff_id], _listed(due)))
    return sends


async def _pension_sends(
    db: Database, now: datetime, workers: list[StaffUnit], config: Config
) -> list[Planned]:
    """Pensioners due next month: to the people linked to the household, else its worker."""
    month = next_month(local_date(now, config.tz))
    by_unit: dict[int, list[StaffUnit]] = {}
    for link in workers:
        by_unit.setdefault(link.unit_id, []).append(link)
    sends: list[Planned] = []
    for_worker: dict[int, list[Household]] = {}
    for household, linked in await household_store.pensioners_due(db, month):
        unit_workers = by_unit.get(household.micro_grid_id, [])
        if linked:
            contact = unit_workers[0] if unit_workers else None
            for tg_user_id, language in linked:
                sends.append(
                    Planned(
                        recipient=f"person:{tg_user_id}",
                        household_id=household.id,
                        chat_id=tg_user_id,
                        language=language,
                        payload={
                            "month": month,
                            "household": household.head_name,
                            "worker": contact.name if contact else "",
                            "phone": contact.phone if contact else "",
                        },
                    )
                )
            continue
        for worker in unit_workers:
            for_worker.setdefault(worker.staff_id, []).append(household)
    first = {w.staff_id: w for w in workers}
    for staff_id, households in for_worker.items():
        sends.append(_staff_send(first[staff_id], {"month": month, **_listed(households)}))
    return sends
