"""The outbox table: notices enqueued with the change that caused them, and their fate."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from bot.clock import from_ts, to_ts
from bot.storage.cases import ADD_COPY, Copy
from bot.storage.db import Database
from models.outbox import Failed, Notice, Pending, Recipient
from models.reports import report_number
from models.units import Unit

_PENDING = "id, dedupe_key, method, chat_id, params, recipient, subject, staff_id, fallback, "
_PENDING += "attempts, created_at"


def _encode(notice: Notice | None) -> str | None:
    if notice is None:
        return None
    return json.dumps(
        {
            "key": notice.key,
            "method": notice.method,
            "chat_id": notice.chat_id,
            "params": notice.params,
            "recipient": notice.recipient.value,
            "subject": notice.subject,
            "staff_id": notice.staff_id,
            "fallback": _encode(notice.fallback),
        },
        ensure_ascii=False,
    )


def _decode(text: str | None) -> Notice | None:
    if not text:
        return None
    data: dict[str, Any] = json.loads(text)
    return Notice(
        key=data["key"],
        method=data["method"],
        chat_id=int(data["chat_id"]),
        params=data["params"],
        recipient=Recipient(data["recipient"]),
        subject=data.get("subject", ""),
        staff_id=data.get("staff_id"),
        fallback=_decode(data.get("fallback")),
    )


def _pending(row: sqlite3.Row) -> Pending:
    notice = Notice(
        key=row["dedupe_key"],
        method=row["method"],
        chat_id=row["chat_id"],
        params=json.loads(row["params"]),
        recipient=Recipient(row["recipient"]),
        subject=row["subject"],
        staff_id=row["staff_id"],
        fallback=_decode(row["fallback"]),
    )
    return Pending(row["id"], notice, row["attempts"], from_ts(row["created_at"]))


async def enqueue(db: Database, notice: Notice, now: datetime) -> bool:
    """Add a notice, due now; False when one with its key was enqueued before."""
    changed = await db.rowcount(
        "INSERT OR IGNORE INTO outbox (dedupe_key, method, chat_id, params, recipient, subject, "
        "staff_id, fallback, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            notice.key,
            notice.method,
            notice.chat_id,
            json.dumps(notice.params, ensure_ascii=False),
            notice.recipient.value,
            notice.subject,
            notice.staff_id,
            _encode(notice.fallback),
            to_ts(now),
            to_ts(now),
        ),
    )
    return changed > 0


async def due(db: Database, now: datetime, limit: int = 50) -> list[Pending]:
    """Pending rows due now, oldest first; a chat's later rows wait for its earlier ones, so
    notices reach one chat in the order they were caused."""
    rows = await db.fetchall(
        f"SELECT {_PENDING} FROM outbox o WHERE status = 'pending' AND next_at <= ? "
        "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.chat_id = o.chat_id "
        "AND e.status = 'pending' AND e.id < o.id) ORDER BY id LIMIT ?",
        (to_ts(now), limit),
    )
    return [_pending(r) for r in rows]


async def next_due(db: Database) -> datetime | None:
    """When the earliest pending row falls due."""
    ts = await db.scalar("SELECT MIN(next_at) FROM outbox WHERE status = 'pending'")
    return None if ts is None else from_ts(ts)


async def sent(
    db: Database, row_id: int, message_id: int | None, now: datetime, copy: Copy | None = None
) -> None:
    """Mark a row delivered, with the message id Telegram gave back, and remember the staff
    member's copy it made (if any): one transaction in one hop to the database."""
    await db.atomically(_sent, (to_ts(now), message_id, row_id), copy)


def _sent(conn: sqlite3.Connection, params: tuple[object, ...], copy: Copy | None) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, done_at = ?, "
        "message_id = ?, error = '' WHERE id = ?",
        params,
    ).close()
    if copy is not None:
        conn.execute(ADD_COPY, copy.params()).close()


async def retry(db: Database, row_id: int, at: datetime, error: str) -> None:
    """Count a failed attempt and set when to try again."""
    await db.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_at = ?, error = ? WHERE id = ?",
        (to_ts(at), error[:300], row_id),
    )


async def redirect(db: Database, row_id: int, chat_id: int, error: str) -> None:
    """Send a row to the chat its group moved to (a supergroup upgrade), at once."""
    await db.execute(
        "UPDATE outbox SET chat_id = ?, error = ? WHERE id = ?", (chat_id, error[:300], row_id)
    )


async def failed(db: Database, row_id: int, error: str, now: datetime, attempted: bool) -> None:
    """Give a row up for good, with the reason."""
    await db.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + ?, done_at = ?, error = ? "
        "WHERE id = ?",
        (int(attempted), to_ts(now), error[:300], row_id),
    )


async def failed_about(db: Database, subjects: list[str]) -> list[Failed]:
    """Messages given up for good about these subjects, oldest first (failed edits of a
    message are not notices: they are left out)."""
    if not subjects:
        return []
    marks = ", ".join("?" * len(subjects))
    rows = await db.fetchall(
        "SELECT recipient, staff_id, subject, error, done_at FROM outbox "
        f"WHERE status = 'failed' AND method LIKE 'send%' AND subject IN ({marks}) ORDER BY id",
        subjects,
    )
    return [_failed(r) for r in rows]


async def failed_since(db: Database, since: datetime, prefix: str = "") -> list[Failed]:
    """Notices given up for good since `since` (subjects starting with `prefix`)."""
    rows = await db.fetchall(
        "SELECT recipient, staff_id, subject, error, done_at FROM outbox "
        "WHERE status = 'failed' AND method LIKE 'send%' AND done_at >= ? AND subject LIKE ? "
        "ORDER BY id",
        (to_ts(since), prefix + "%"),
    )
    return [_failed(r) for r in rows]


def _failed(row: sqlite3.Row) -> Failed:
    return Failed(
        recipient=Recipient(row["recipient"]),
        staff_id=row["staff_id"],
        subject=row["subject"],
        error=row["error"],
        at=from_ts(row["done_at"]),
    )


async def prune(db: Database, before: datetime) -> int:
    """Delete rows delivered before `before`; returns how many."""
    return await db.rowcount(
        "DELETE FROM outbox WHERE status = 'sent' AND done_at < ?", (to_ts(before),)
    )


async def count(db: Database, status: str) -> int:
    """How many rows have this status."""
    return int(await db.scalar("SELECT COUNT(*) FROM outbox WHERE status = ?", (status,)) or 0)


async def failed_reports_in(
    db: Database, unit: Unit, since: datetime, county: bool = False
) -> list[str]:
    """Numbers of the reports of `unit`'s subtree with a message given up since `since`
    (`#12`; in the county form, `DTY-12`, when `county`)."""
    level = f"u.l{int(unit.level)}_id"
    rows = await db.fetchall(
        "SELECT DISTINCT r.id, COALESCE(r.town_seq, r.id), t.short FROM outbox o "
        "JOIN reports r ON o.subject = 'report:' || r.id "
        "JOIN units u ON u.id = r.micro_grid_id LEFT JOIN units t ON t.id = u.l1_id "
        "WHERE o.status = 'failed' "
        f"AND o.method LIKE 'send%' AND o.done_at >= ? AND {level} = ? ORDER BY r.id",
        (to_ts(since), unit.id),
    )
    return [report_number(r[1], r[2] or "", county) for r in rows]


async def oldest_overdue(db: Database) -> int | None:
    """When the longest-waiting pending notice was due (None: nothing pending)."""
    value = await db.scalar("SELECT MIN(next_at) FROM outbox WHERE status = 'pending'")
    return None if value is None else int(value)
