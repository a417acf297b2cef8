"""Conversation states and flow scratch, stored as JSON for PTB's persistence."""

from __future__ import annotations

import json
from typing import Any

from bot.storage.db import Database

_DATA_TABLES = {"user": ("flow_user_data", "user_id"), "chat": ("flow_chat_data", "chat_id")}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def conversations(db: Database, name: str) -> dict[tuple[Any, ...], Any]:
    """Every stored state of one conversation handler, by its key."""
    rows = await db.fetchall("SELECT key, state FROM flow_conversations WHERE name = ?", (name,))
    return {tuple(json.loads(row["key"])): json.loads(row["state"]) for row in rows}


async def set_conversation(
    db: Database, name: str, key: tuple[Any, ...], state: Any, at: int
) -> None:
    """Store one conversation's state; None ends it."""
    if state is None:
        await db.execute(
            "DELETE FROM flow_conversations WHERE name = ? AND key = ?", (name, _dump(list(key)))
        )
        return
    await db.execute(
        "INSERT INTO flow_conversations (name, key, state, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(name, key) DO UPDATE SET state = excluded.state, "
        "updated_at = excluded.updated_at",
        (name, _dump(list(key)), _dump(state), at),
    )


async def all_data(db: Database, kind: str) -> dict[int, dict[Any, Any]]:
    """Every stored user's (kind "user") or chat's (kind "chat") scratch."""
    table, column = _DATA_TABLES[kind]
    rows = await db.fetchall(f"SELECT {column} AS id, data FROM {table}")
    return {row["id"]: json.loads(row["data"]) for row in rows}


async def set_data(db: Database, kind: str, owner_id: int, data: dict[Any, Any], at: int) -> None:
    """Store one user's or chat's scratch; an empty one is removed."""
    table, column = _DATA_TABLES[kind]
    if not data:
        await db.execute(f"DELETE FROM {table} WHERE {column} = ?", (owner_id,))
        return
    await db.execute(
        f"INSERT INTO {table} ({column}, data, updated_at) VALUES (?, ?, ?) "
        f"ON CONFLICT({column}) DO UPDATE SET data = excluded.data, "
        "updated_at = excluded.updated_at",
        (owner_id, _dump(data), at),
    )
