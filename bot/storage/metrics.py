"""Counts for the metrics endpoint: reports by status, notices by ledger and status."""

from __future__ import annotations

from bot.storage.db import Database

# The send ledgers a notice is recorded in before it goes out (status pending → sent | failed).
NOTICE_LEDGERS = {
    "outbox": "outbox",
    "reminder": "reminder_sends",
    "digest": "digest_sends",
    "announcement": "announcement_targets",
}


async def reports_by_status(db: Database) -> dict[tuple[str, ...], float]:
    """How many reports are in each status."""
    rows = await db.fetchall("SELECT status, COUNT(*) FROM reports GROUP BY status")
    return {(str(r[0]),): float(r[1]) for r in rows}


async def notices_by_status(db: Database) -> dict[tuple[str, ...], float]:
    """How many notices each send ledger holds, by status (sent, failed, pending …)."""
    counts: dict[tuple[str, ...], float] = {}
    for ledger, table in NOTICE_LEDGERS.items():
        rows = await db.fetchall(f"SELECT status, COUNT(*) FROM {table} GROUP BY status")
        counts.update({(ledger, str(r[0])): float(r[1]) for r in rows})
    return counts
