"""The send-once ledger, for every sender that keeps its own record (reminders, digests,
assessments, announcements).

A message is recorded (pending) once per kind, period and recipient before anything is
sent; a sender claims pending rows (marked 'sending' by its process) just before it sends
them and records how each went. So a restart never sends a message twice (a row another
process left 'sending' becomes 'unknown', never resent) and never loses a recorded one; a
row still pending when its period is over expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.clock import Clock, to_ts
from bot.storage import ledger as store
from bot.storage.db import Database
from bot.storage.ledger import Entry, Planned, Run
from models.units import Unit

__all__ = [
    "Entry",
    "Outcome",
    "Planned",
    "Run",
    "claim",
    "counts",
    "failed_in",
    "failed_with",
    "finish",
    "mark_failed",
    "mark_sent",
    "record",
    "recover",
    "runs",
    "start_run",
]


@dataclass(frozen=True)
class Outcome:
    """How one claimed send went: sent, failed for good, or back to pending for a later
    run (a passing fault)."""

    entry_id: int
    status: Literal["sent", "failed", "pending"]
    error: str = ""
    message_id: int | None = None


async def record(
    db: Database,
    clock: Clock,
    kind: str,
    period_key: str,
    planned: Sequence[Planned],
    expires_at: datetime | None = None,
) -> list[Entry]:
    """Record the messages not recorded yet for (kind, period_key); returns the new ones."""
    async with db.transaction():
        ends = to_ts(expires_at) if expires_at is not None else None
        return await store.record(db, kind, period_key, planned, to_ts(clock.now()), ends)


async def claim(
    db: Database,
    clock: Clock,
    kinds: Sequence[str],
    process: str,
    limit: int | None,
    period_key: str | None = None,
) -> list[Entry]:
    """The next pending messages of these kinds (and period) to send now, marked as being
    sent by `process` (pending ones whose period is over expire first)."""
    now = to_ts(clock.now())
    async with db.transaction():
        await store.expire(db, now)
        return await store.claim(db, kinds, process, now, limit, period_key)


async def recover(db: Database, process: str, kind: str | None = None) -> int:
    """Rows (of one kind, or of every kind) another process left half-sent become
    'unknown' (never resent); how many."""
    async with db.transaction():
        return await store.orphans_to_unknown(db, process, kind)


async def finish(db: Database, clock: Clock, outcomes: Sequence[Outcome]) -> None:
    """Record how each claimed send went."""
    at = to_ts(clock.now())
    async with db.transaction():
        for outcome in outcomes:
            if outcome.status == "sent":
                await store.mark_sent(db, outcome.entry_id, at, outcome.message_id)
            elif outcome.status == "failed":
                await store.mark_failed(db, outcome.entry_id, outcome.error, at)
            else:
                await store.mark_retry(db, outcome.entry_id, outcome.error)
        await store.close_runs(db, [o.entry_id for o in outcomes], at)


async def mark_sent(
    db: Database, clock: Clock, entry_id: int, message_id: int | None = None
) -> None:
    """One message went out."""
    await finish(db, clock, [Outcome(entry_id, "sent", message_id=message_id)])


async def mark_failed(db: Database, clock: Clock, entry_id: int, error: str) -> None:
    """One message could not be delivered (`error` says why)."""
    await finish(db, clock, [Outcome(entry_id, "failed", error)])


async def start_run(db: Database, clock: Clock, kind: str, period_key: str) -> None:
    """Note that a run begins now (its first claim notes it too)."""
    async with db.transaction():
        await store.start_run(db, kind, period_key, to_ts(clock.now()))


async def runs(
    db: Database, family: str, since: datetime, until: datetime | None = None
) -> list[Run]:
    """Runs of a family ('reminder', 'announcement') going on or finished since `since`
    (started before `until`), with when they started and ended and their counts."""
    async with db.reading():
        return await store.runs(db, family, to_ts(since), None if until is None else to_ts(until))


async def counts(db: Database, kind: str) -> dict[str, int]:
    """How many messages of one kind are pending, sent, failed (… by status)."""
    async with db.transaction():
        found = await store.counts(db, kind)
    return {"pending": 0, "sent": 0, "failed": 0, **found}


async def failed_with(db: Database, kind: str, error: str) -> list[Entry]:
    """Messages of one kind that failed for this reason."""
    async with db.transaction():
        return await store.failed_with(db, kind, error)


async def failed_in(db: Database, family: str, unit: Unit, since: datetime) -> list[dict[str, Any]]:
    """Messages of a family ('reminder') that could not be delivered since `since` to people
    of `unit`'s subtree (kind, period, name, code, error: 'forbidden' = blocked or never
    started the bot, 'not_linked' = no Telegram account linked), for digests."""
    async with db.transaction():
        return await store.failed_in(db, family, unit, to_ts(since))
