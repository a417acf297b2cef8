"""The durable inbox's table: updates stored before they are confirmed to Telegram."""

from __future__ import annotations

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
    """Store a fetched batch; returns the ids that were new (a redelivered update is not) and
    those of the redelivered ones already handled."""
    if not updates:
        return set(), set()
    ids = [u.update_id for u in updates]
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(
        f"SELECT update_id, done_at FROM inbox_updates WHERE update_id IN ({marks})", ids
    )
    known = {row[0] for row in rows}
    done = {row[0] for row in rows if row[1] is not None}
    fresh = [u for u in updates if u.update_id not in known]
    if fresh:
        await db.executemany(
            "INSERT OR IGNORE INTO inbox_updates (update_id, chat_key, payload, received_at) "
            "VALUES (?, ?, ?, ?)",
            [(u.update_id, u.chat_key, u.payload, at) for u in fresh],
        )
    return {u.update_id for u in fresh}, done


async def unfinished(db: Database) -> list[StoredUpdate]:
    """Every stored update not yet handled to the end, oldest first."""
    rows = await db.fetchall(
        "SELECT update_id, chat_key, payload FROM inbox_updates "
        "WHERE done_at IS NULL ORDER BY update_id"
    )
    return [StoredUpdate(row[0], row[1], row[2]) for row in rows]


async def mark_done(db: Database, update_ids: Iterable[int], at: int) -> None:
    """Record that these updates were handled."""
    ids = list(update_ids)
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    await db.execute(
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
