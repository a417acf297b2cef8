"""Counts for the metrics endpoint: reports by status, notices by ledger and status."""

from __future__ import annotations

from bot.storage import ledger
from bot.storage.db import Database

# Where a notice is recorded before it goes out (status pending → sent | failed …): the
# outbox, and the send-once ledger's families (its kinds up to the ':'; the assessment is
# sent as a digest).
NOTICE_LEDGERS = ("outbox", "reminder", "digest", "announcement")
# Fan-out runs shown with their progress: those going on, and those finished this long ago.
RUN_FAMILIES = ("reminder", "announcement")
RUNS_SHOWN_FOR = 86400


async def reports_by_status(db: Database) -> dict[tuple[str, ...], float]:
    """How many reports are in each status."""
    rows = await db.fetchall("SELECT status, COUNT(*) FROM reports GROUP BY status")
    return {(str(r[0]),): float(r[1]) for r in rows}


async def notices_by_status(db: Database) -> dict[tuple[str, ...], float]:
    """How many notices each send ledger holds, by status (sent, failed, pending …)."""
    rows = await db.fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY status")
    counts: dict[tuple[str, ...], float] = {("outbox", str(r[0])): float(r[1]) for r in rows}
    for family, status, n in await ledger.by_family_and_status(db):
        if family in NOTICE_LEDGERS:
            counts[(family, status)] = float(n)
    return counts


async def run_progress(db: Database, now: int) -> dict[tuple[str, ...], float]:
    """Each reminder run and announcement going on or finished within a day: how many of its
    messages are sent, failed (or unknown, expired) and left ((kind, period, state) -> n)."""
    found: dict[tuple[str, ...], float] = {}
    for family in RUN_FAMILIES:
        for run in await ledger.runs(db, family, now - RUNS_SHOWN_FOR):
            for state, n in (("sent", run.sent), ("failed", run.failed), ("left", run.left)):
                found[(run.kind, run.period_key, state)] = float(n)
    return found


async def run_seconds(db: Database, now: int) -> dict[tuple[str, ...], float]:
    """How long each of those runs took (finished) or has taken so far ((kind, period) -> s)."""
    found: dict[tuple[str, ...], float] = {}
    for family in RUN_FAMILIES:
        for run in await ledger.runs(db, family, now - RUNS_SHOWN_FOR):
            end = run.finished_at if run.finished_at is not None else now
            found[(run.kind, run.period_key)] = float(end - run.started_at)
    return found
