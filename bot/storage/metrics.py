"""Counts for the metrics endpoint: reports by status, notices by ledger and status."""

from __future__ import annotations

from bot.storage import ledger
from bot.storage.db import Database

# Where a notice is recorded before it goes out (status pending → sent | failed …): the
# outbox, and the send-once ledger's families (its kinds up to the ':'; the assessment is
# sent as a digest).
NOTICE_LEDGERS = ("outbox", "reminder", "digest", "announcement")


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
