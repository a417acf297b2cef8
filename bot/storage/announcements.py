"""Announcements and their delivery state: one row per target group, so a restart resumes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.storage.db import Database

ACTIVE = ("queued", "running")
DRAFTS = ("composing", "preview")


@dataclass(frozen=True)
class Announcement:
    """An announcement and where its delivery stands."""

    id: int
    unit_id: int
    staff_id: int
    chat_id: int
    status: str
    body_html: str
    photo_file_id: str | None
    progress_message_id: int | None
    total: int
    created_at: int


_COLS = (
    "id, unit_id, staff_id, chat_id, status, body_html, photo_file_id, "
    "progress_message_id, total, created_at"
)


def _row(row: sqlite3.Row) -> Announcement:
    return Announcement(**dict(row))


async def add(db: Database, unit_id: int, staff_id: int, chat_id: int, at: int) -> int:
    """Start composing an announcement (any older draft of this chat is dropped)."""
    await db.execute(
        "UPDATE announcements SET status = 'cancelled', finished_at = ? "
        "WHERE chat_id = ? AND status IN ('composing', 'preview')",
        (at, chat_id),
    )
    return await db.execute(
        "INSERT INTO announcements (unit_id, staff_id, chat_id, status, created_at) "
        "VALUES (?, ?, ?, 'composing', ?)",
        (unit_id, staff_id, chat_id, at),
    )


async def get(db: Database, announcement_id: int) -> Announcement | None:
    """The announcement with this id."""
    row = await db.fetchone(f"SELECT {_COLS} FROM announcements WHERE id = ?", (announcement_id,))
    return _row(row) if row else None


async def composing(db: Database, chat_id: int, since: int) -> Announcement | None:
    """The announcement this chat is writing the text of, if started after `since`."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM announcements WHERE chat_id = ? AND status = 'composing' "
        "AND created_at >= ? ORDER BY id DESC LIMIT 1",
        (chat_id, since),
    )
    return _row(row) if row else None


async def set_body(
    db: Database, announcement_id: int, body_html: str, photo_file_id: str | None
) -> None:
    """Keep the text (and photo) and wait for confirmation."""
    await db.execute(
        "UPDATE announcements SET body_html = ?, photo_file_id = ?, status = 'preview' "
        "WHERE id = ?",
        (body_html, photo_file_id, announcement_id),
    )


async def set_status(
    db: Database, announcement_id: int, status: str, at: int, stamp: str | None = None
) -> None:
    """Move an announcement to `status`, stamping queued_at/started_at/finished_at."""
    extra = f", {stamp} = ?" if stamp else ""
    params = (status, at, announcement_id) if stamp else (status, announcement_id)
    await db.execute(f"UPDATE announcements SET status = ?{extra} WHERE id = ?", params)


async def active_groups_count(db: Database, level: int, unit_id: int) -> int:
    """Active groups bound to micro-grids of a unit's subtree."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM units u JOIN groups g ON g.micro_grid_id = u.id "
            f"WHERE u.l{level}_id = ? AND u.level = 4 AND g.active = 1",
            (unit_id,),
        )
        or 0
    )


async def add_targets(db: Database, announcement_id: int, level: int, unit_id: int) -> int:
    """One pending target per active group of the unit's subtree; returns how many."""
    await db.execute(
        "INSERT OR IGNORE INTO announcement_targets (announcement_id, chat_id) "
        "SELECT ?, g.chat_id FROM units u JOIN groups g ON g.micro_grid_id = u.id "
        f"WHERE u.l{level}_id = ? AND u.level = 4 AND g.active = 1",
        (announcement_id, unit_id),
    )
    total = int(
        await db.scalar(
            "SELECT COUNT(*) FROM announcement_targets WHERE announcement_id = ?",
            (announcement_id,),
        )
        or 0
    )
    await db.execute("UPDATE announcements SET total = ? WHERE id = ?", (total, announcement_id))
    return total


async def ahead_of(db: Database, announcement_id: int) -> int:
    """Announcements queued or running before this one."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM announcements WHERE status IN ('queued', 'running') AND id < ?",
            (announcement_id,),
        )
        or 0
    )


async def next_active(db: Database) -> Announcement | None:
    """The announcement to deliver now: one already running, else the oldest queued."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM announcements WHERE status IN ('queued', 'running') "
        "ORDER BY status = 'running' DESC, id LIMIT 1"
    )
    return _row(row) if row else None


async def pending_targets(db: Database, announcement_id: int) -> list[int]:
    """Chat ids not yet delivered to, in a stable order."""
    rows = await db.fetchall(
        "SELECT chat_id FROM announcement_targets WHERE announcement_id = ? "
        "AND status = 'pending' ORDER BY chat_id",
        (announcement_id,),
    )
    return [r["chat_id"] for r in rows]


async def mark_target(
    db: Database, announcement_id: int, chat_id: int, status: str, error: str, at: int
) -> None:
    """Record the outcome of one send."""
    await db.execute(
        "UPDATE announcement_targets SET status = ?, error = ?, at = ? "
        "WHERE announcement_id = ? AND chat_id = ?",
        (status, error, at, announcement_id, chat_id),
    )


async def counts(db: Database, announcement_id: int) -> dict[str, int]:
    """How many targets are pending, sent, failed (and 'gone' among the failed)."""
    rows = await db.fetchall(
        "SELECT status, error = 'gone' AS gone, COUNT(*) AS n FROM announcement_targets "
        "WHERE announcement_id = ? GROUP BY 1, 2",
        (announcement_id,),
    )
    out = {"pending": 0, "sent": 0, "failed": 0, "gone": 0}
    for r in rows:
        out[r["status"]] += r["n"]
        if r["gone"]:
            out["gone"] += r["n"]
    return out


async def set_progress_message(db: Database, announcement_id: int, message_id: int) -> None:
    """Remember the cadre's progress message."""
    await db.execute(
        "UPDATE announcements SET progress_message_id = ? WHERE id = ?",
        (message_id, announcement_id),
    )


async def deactivate_gone(db: Database, announcement_id: int, at: int) -> list[int]:
    """Mark inactive every group found gone (bot removed, chat deleted); returns their ids."""
    rows = await db.fetchall(
        "SELECT g.chat_id FROM announcement_targets t JOIN groups g ON g.chat_id = t.chat_id "
        "WHERE t.announcement_id = ? AND t.status = 'failed' AND t.error = 'gone' "
        "AND g.active = 1",
        (announcement_id,),
    )
    gone = [r["chat_id"] for r in rows]
    await db.executemany(
        "UPDATE groups SET active = 0, updated_at = ? WHERE chat_id = ?",
        [(at, chat_id) for chat_id in gone],
    )
    return gone
