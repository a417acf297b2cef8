"""Reminders: which scheduled runs are due, who gets what, and the record of every send.

A run is planned once (its sends recorded as pending in the same transaction), then sent in
batches: each batch is claimed (marked 'sending') before the messages go out and finished
after, so a restart never sends a message twice and never loses a planned one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import contacts as contact_store
from bot.storage import grid
from bot.storage import households as household_store
from bot.storage import reminders as store
from bot.storage.db import Database
from bot.storage.reminders import PlannedSend, Send
from models.compliance import StaffUnit, workers_due
from models.contacts import Household
from models.periods import (
    Period,
    local_date,
    month_of,
    next_month,
    period_of,
    quarter_of,
    week_of,
)
from models.reminders import (
    PERIOD_OF_KIND,
    QuietHours,
    ReminderKind,
    due_occurrence,
    occurrence_key,
)
from models.units import Level, Unit

# A reminder lists at most this many households (a micro-grid has 10-15).
MAX_LISTED = 40

__all__ = ["Send", "claim", "failed_sends", "finish", "plan_due", "quiet_hours", "recover"]


def quiet_hours(config: Config) -> QuietHours:
    """The configured quiet hours in the town's zone."""
    r = config.reminders
    return QuietHours(r.quiet_start, r.quiet_end, config.tz)


async def plan_due(
    db: Database, clock: Clock, config: Config, kinds: list[ReminderKind]
) -> list[tuple[ReminderKind, str, int]]:
    """Record the runs due now that were not recorded yet, with their sends; returns
    (kind, occurrence, number of sends) of each run planned."""
    now, tz, quiet = clock.now(), config.tz, quiet_hours(config)
    planned = []
    for kind in kinds:
        exprs = getattr(config.reminders, kind.value)
        async with db.transaction():
            current = PERIOD_OF_KIND[kind]
            await store.expire(db, kind.value, period_of(current, now, tz).key)
            due = due_occurrence(kind, exprs, tz, quiet, now)
            if due is None:
                continue
            occurrence, period = due
            key = occurrence_key(occurrence, tz)
            if await store.has_run(db, kind.value, key):
                continue
            sends = await _recipients(db, kind, now, period, config)
            await store.add_run(db, kind.value, key, period.key, sends, to_ts(now))
            planned.append((kind, key, len(sends)))
    return planned


async def recover(db: Database, process: str) -> int:
    """Sends another process left half-done become 'unknown' (never resent); returns how many."""
    async with db.transaction():
        return await store.orphans_to_unknown(db, process)


async def claim(
    db: Database, clock: Clock, config: Config, kinds: list[ReminderKind], process: str, limit: int
) -> list[Send]:
    """The next pending sends to deliver now (none in quiet hours), marked as being sent."""
    if clock.now() in quiet_hours(config):
        return []
    async with db.transaction():
        return await store.claim(db, [k.value for k in kinds], process, limit)


async def finish(db: Database, clock: Clock, outcomes: list[tuple[int, str, str]]) -> None:
    """Record how each claimed send went: (send id, 'sent' | 'failed' | 'pending', error)."""
    at = to_ts(clock.now())
    async with db.transaction():
        await store.finish(
            db,
            [(i, status, error, at if status == "sent" else None) for i, status, error in outcomes],
        )


async def failed_sends(db: Database, unit: Unit, since: datetime) -> list[dict[str, Any]]:
    """Reminders that could not be delivered since `since` to people of `unit`'s subtree
    (kind, period, name, code, error: 'forbidden' = blocked or never started the bot,
    'not_linked' = no Telegram account linked), for digests."""
    async with db.transaction():
        return await store.failed_in(db, unit, to_ts(since))


def _listed(households: tuple[Household, ...] | list[Household]) -> dict[str, Any]:
    return {
        "count": len(households),
        "households": [
            {"name": h.head_name, "address": h.address, "micro_grid": h.micro_grid_name}
            for h in households[:MAX_LISTED]
        ],
    }


def _staff_send(worker: StaffUnit, payload: dict[str, Any]) -> PlannedSend:
    return PlannedSend(
        recipient=f"staff:{worker.staff_id}",
        staff_id=worker.staff_id,
        chat_id=worker.tg_user_id,
        language=worker.language,
        payload=payload,
    )


async def _recipients(
    db: Database, kind: ReminderKind, now: datetime, period: Period, config: Config
) -> list[PlannedSend]:
    tz, ts = config.tz, to_ts(now)
    week = week_of(now, tz)
    if kind is ReminderKind.WEEKLY_CHECKIN:
        grid_workers = await contact_store.staff_units(db, None, Level.GRID, to_ts(week.start), ts)
        names = await grid.units_by_ids(db, [w.unit_id for w in grid_workers])
        behind: dict[int, list[StaffUnit]] = {}
        for link in grid_workers:
            if link.last_checkin is None or link.last_checkin < week.start:
                behind.setdefault(link.staff_id, []).append(link)
        return [
            _staff_send(links[0], {"grids": [names[x.unit_id].name for x in links]})
            for links in behind.values()
        ]
    workers = await contact_store.staff_units(db, None, Level.MICRO_GRID, to_ts(week.start), ts)
    if kind is ReminderKind.PENSION:
        return await _pension_sends(db, now, workers, config)
    facts = await household_store.facts(db, None, ts)
    figures = workers_due(facts, workers, now, month_of(now, tz), quarter_of(now, tz))
    first = {w.staff_id: w for w in workers}
    sends = []
    for figure in figures:
        due = figure.due_contact if kind is ReminderKind.MONTHLY_CONTACT else figure.due_visit
        if due:  # a worker with nothing due gets nothing
            sends.append(_staff_send(first[figure.staff_id], _listed(due)))
    return sends


async def _pension_sends(
    db: Database, now: datetime, workers: list[StaffUnit], config: Config
) -> list[PlannedSend]:
    """Pensioners due next month: to the people linked to the household, else its worker."""
    month = next_month(local_date(now, config.tz))
    by_unit: dict[int, list[StaffUnit]] = {}
    for link in workers:
        by_unit.setdefault(link.unit_id, []).append(link)
    sends: list[PlannedSend] = []
    for_worker: dict[int, list[Household]] = {}
    for household, linked in await household_store.pensioners_due(db, month):
        unit_workers = by_unit.get(household.micro_grid_id, [])
        if linked:
            contact = unit_workers[0] if unit_workers else None
            for tg_user_id, language in linked:
                sends.append(
                    PlannedSend(
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
