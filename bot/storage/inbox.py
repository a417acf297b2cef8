"""The durable inbox's table: updates stored before they are confirmed to Telegram."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.storage.db import Database


@dataclass(frozen=True)
class StoredUpdate:
    """One update as stored: its id, the chat it runs in order with, and its JSON."""

    update_id: int
    chat_key: int
    payload: str


async def store(
    db: Database, updates: Sequence[StoredUpdate], at: int
) -> tuple[set[int], set[int]]:
    """Store a fetched batch in one transaction; returns the ids that were new (a redelivered
    update is not) and those of the redelivered ones already handled."""
    if not updates:
        return set(), set()
    return await db.atomically(_store, updates, at)


def _store(
    conn: sqlite3.Connection, updates: Sequence[StoredUpdate], at: int
) -> tuple[set[int], set[int]]:
    fresh: set[int] = set()
    done: set[int] = set()
    for u in updates:
        cur = conn.execute(
            "INSERT OR IGNORE INTO inbox_updates (update_id, chat_key, payload, received_at) "
            "VALUES (?, ?, ?, ?)",
            (u.update_id, u.chat_key, u.payload, at),
        )
        if cur.rowcount == 1:
            fresh.add(u.update_id)
            continue
        row = conn.execute(
            "SELECT done_at FROM inbox_updates WHERE update_id = ?", (u.update_id,)
        ).fetchone()
        if row is not None and row[0] is not None:
            done.add(u.update_id)
    return fresh, done


async def unfinished(db: Database) -> list[StoredUpdate]:
    """Every stored update not yet handled to the end, oldest first."""
    rows = await db.fetchall(
        "SELECT update_id, chat_key, payload FROM inbox_updates "
        "WHERE done_at IS NULL ORDER BY update_id"
    )
    return [StoredUpdate(row[0], row[1], row[2]) for row in rows]


async def mark_done(db: Database, update_ids: Iterable[int], at: int) -> None:
    """Record (in one transaction of its own, or the caller's) that these were handled."""
    ids = list(update_ids)
    if ids:
        await db.atomically(_mark_done, ids, at)


def _mark_done(conn: sqlite3.Connection, ids: list[int], at: int) -> None:
    marks = ",".join("?" * len(ids))
    conn.execute(
        f"UPDATE inbox_updates SET done_at = ? WHERE update_id IN ({marks}) AND done_at IS NULL",
        [at, *ids],
    )


async def counts(db: Database) -> tuple[int, int | None]:
    """How many updates wait unfinished, and when the oldest of them arrived."""
    row = await db.fetchone(
        "SELECT COUNT(*), MIN(received_at) FROM inbox_updates WHERE done_at IS NULL"
    )
    assert row is not None
    return int(row[0]), row[1]
