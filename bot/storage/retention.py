"""Deleting scratch rows past their window. Only tables listed here are ever pruned; records
(reports and their history, contacts, visits, check-ins, answers, the audit log) are not."""

from __future__ import annotations

from enum import StrEnum

from bot.storage.db import Database


class Window(StrEnum):
    """The `[retention]` setting that governs a table."""

    DRAFTS = "drafts"
    PRESSES = "presses"
    LINK_REQUESTS = "link_requests"
    INVITATIONS = "invitations"
    UPDATES = "updates"


# table → (its window, the time after which a row no longer matters)
SCRATCH: dict[str, tuple[Window, str]] = {
    "report_drafts": (Window.DRAFTS, "created_at"),
    # A recording or location of a draft never filed (a filed report's rows never expire).
    "report_attachments": (Window.DRAFTS, "CASE WHEN report_id IS NULL THEN created_at END"),
    "household_drafts": (Window.DRAFTS, "updated_at"),
    "applied_presses": (Window.PRESSES, "at"),
    # Decided (approved, declined, withdrawn) or, when nobody decided, asked.
    "household_link_requests": (Window.LINK_REQUESTS, "COALESCE(decided_at, created_at)"),
    # Handled updates of the durable inbox (unfinished ones have no done_at and stay).
    "inbox_updates": (Window.UPDATES, "done_at"),
    # Used, or expired unused.
    "invitations": (Window.INVITATIONS, "MIN(COALESCE(used_at, expires_at), expires_at)"),
}


async def prune(db: Database, table: str, before: int, limit: int) -> int:
    """Delete up to `limit` rows of a scratch table that stopped mattering before `before`."""
    _, since = SCRATCH[table]
    return await db.rowcount(
        f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {since} < ? LIMIT ?)",
        (before, limit),
    )
