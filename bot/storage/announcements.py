"""Announcements (their deliveries, one per target group, are in the send ledger)."""

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


async def active_group_ids(db: Database, level: int, unit_id: int) -> list[int]:
    """Chat ids of the active groups bound to micro-grids of a unit's subtree."""
    rows = await db.fetchall(
        "SELECT g.chat_id FROM units u JOIN groups g ON g.micro_grid_id = u.id "
        f"WHERE u.l{level}_id = ? AND u.level = 4 AND g.active = 1 ORDER BY g.chat_id",
        (unit_id,),
    )
    return [r["chat_id"] for r in rows]


async def set_total(db: Database, announcement_id: int, total: int) -> None:
    """How many groups the announcement goes to."""
    await db.execute("UPDATE announcements SET total = ? WHERE id = ?", (total, announcement_id))


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


async def set_progress_message(db: Database, announcement_id: int, message_id: int) -> None:
    """Remember the cadre's progress message."""
    await db.execute(
        "UPDATE announcements SET progress_message_id = ? WHERE id = ?",
        (message_id, announcement_id),
    )


async def deactivate_groups(db: Database, chat_ids: list[int], at: int) -> list[int]:
    """Mark inactive those of these groups still active (found gone: bot removed, chat
    deleted); returns their ids."""
    if not chat_ids:
        return []
    marks = ",".join("?" * len(chat_ids))
    rows = await db.fetchall(
        f"SELECT chat_id FROM groups WHERE active = 1 AND chat_id IN ({marks}) ORDER BY chat_id",
        chat_ids,
    )
    gone = [r["chat_id"] for r in rows]
    await db.executemany(
        "UPDATE groups SET active = 0, updated_at = ? WHERE chat_id = ?",
        [(at, chat_id) for chat_id in gone],
    )
    return gone
