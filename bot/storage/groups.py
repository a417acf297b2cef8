"""Group chats the bot is in, and the residents seen in them."""

from __future__ import annotations

import sqlite3

from pydantic import BaseModel

from bot.storage.chat_ids import move_chat
from bot.storage.db import Database


class Group(BaseModel):
    """A Telegram group the bot is (or was) in."""

    chat_id: int
    title: str
    micro_grid_id: int | None
    active: bool
    card_message_id: int | None


def _group(row: sqlite3.Row) -> Group:
    return Group(
        chat_id=row["chat_id"],
        title=row["title"],
        micro_grid_id=row["micro_grid_id"],
        active=bool(row["active"]),
        card_message_id=row["card_message_id"],
    )


_COLS = "chat_id, title, micro_grid_id, active, card_message_id"


async def group(db: Database, chat_id: int) -> Group | None:
    """The group with this chat id."""
    row = await db.fetchone(f"SELECT {_COLS} FROM groups WHERE chat_id = ?", (chat_id,))
    return _group(row) if row else None


async def group_of_micro_grid(db: Database, micro_grid_id: int) -> Group | None:
    """The group bound to this micro-grid."""
    row = await db.fetchone(f"SELECT {_COLS} FROM groups WHERE micro_grid_id = ?", (micro_grid_id,))
    return _group(row) if row else None


async def upsert_group(db: Database, chat_id: int, title: str, at: int) -> None:
    """Remember a group the bot is in (re-activating it if it came back)."""
    await db.execute(
        "INSERT INTO groups (chat_id, title, active, added_at, updated_at) VALUES (?, ?, 1, ?, ?) "
        "ON CONFLICT(chat_id) DO UPDATE SET title = excluded.title, active = 1, "
        "updated_at = excluded.updated_at",
        (chat_id, title, at, at),
    )


async def set_inactive(db: Database, chat_id: int, at: int) -> bool:
    """Mark a group inactive (bot removed); True when it was active."""
    changed = await db.rowcount(
        "UPDATE groups SET active = 0, updated_at = ? WHERE chat_id = ? AND active = 1",
        (at, chat_id),
    )
    return changed > 0


async def bind(db: Database, chat_id: int, micro_grid_id: int, staff_id: int, at: int) -> None:
    """Bind a group to a micro-grid, releasing any group that held it before."""
    await db.execute(
        "UPDATE groups SET micro_grid_id = NULL, card_message_id = NULL, updated_at = ? "
        "WHERE micro_grid_id = ? AND chat_id != ?",
        (at, micro_grid_id, chat_id),
    )
    await db.execute(
        "UPDATE groups SET micro_grid_id = ?, bound_by = ?, bound_at = ?, active = 1, "
        "updated_at = ? WHERE chat_id = ?",
        (micro_grid_id, staff_id, at, at, chat_id),
    )


async def set_card_message(db: Database, chat_id: int, message_id: int | None) -> None:
    """Remember the pinned contact card's message id."""
    await db.execute(
        "UPDATE groups SET card_message_id = ? WHERE chat_id = ?", (message_id, chat_id)
    )


async def migrate(db: Database, old_chat_id: int, new_chat_id: int, at: int) -> bool:
    """Move a group and everything keyed by its chat id to its new supergroup id.

    True when anything moved. Telegram announces the upgrade in both chats, so the second
    call finds nothing left under the old id.
    """
    old = await group(db, old_chat_id)
    if old is not None and await group(db, new_chat_id) is not None:
        # The new id is known already (the bot was added there first): it takes the binding.
        await db.execute("UPDATE groups SET micro_grid_id = NULL WHERE chat_id = ?", (old_chat_id,))
        if old.micro_grid_id is not None:
            await db.execute(
                "UPDATE groups SET micro_grid_id = ?, active = 1, updated_at = ? WHERE chat_id = ?",
                (old.micro_grid_id, at, new_chat_id),
            )
        await db.execute(
            "UPDATE OR IGNORE group_members SET chat_id = ? WHERE chat_id = ?",
            (new_chat_id, old_chat_id),
        )
        await db.execute("DELETE FROM group_members WHERE chat_id = ?", (old_chat_id,))
        await db.execute("DELETE FROM groups WHERE chat_id = ?", (old_chat_id,))
    elif old is not None:
        # The pinned card stays behind in the old group (message ids do not carry over).
        await db.execute(
            "UPDATE groups SET chat_id = ?, card_message_id = NULL, updated_at = ? "
            "WHERE chat_id = ?",
            (new_chat_id, at, old_chat_id),
        )
    moved = await move_chat(db, old_chat_id, new_chat_id)
    return old is not None or moved > 0


async def note_member(db: Database, chat_id: int, tg_user_id: int, at: int, present: bool) -> None:
    """Record that a user is (or is no longer) in a group."""
    await db.execute(
        "INSERT INTO group_members (chat_id, tg_user_id, present, seen_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(chat_id, tg_user_id) DO UPDATE SET present = excluded.present, "
        "seen_at = excluded.seen_at",
        (chat_id, tg_user_id, int(present), at),
    )


async def groups_of_member(db: Database, tg_user_id: int) -> list[Group]:
    """Active bound groups this user is known to be in."""
    rows = await db.fetchall(
        f"SELECT g.{_COLS.replace(', ', ', g.')} FROM groups g "
        "JOIN group_members m ON m.chat_id = g.chat_id "
        "WHERE m.tg_user_id = ? AND m.present = 1 AND g.active = 1 "
        "AND g.micro_grid_id IS NOT NULL ORDER BY g.chat_id",
        (tg_user_id,),
    )
    return [_group(row) for row in rows]


async def is_member(db: Database, chat_id: int, tg_user_id: int) -> bool:
    """Whether this user is known to be in the group now."""
    present = await db.scalar(
        "SELECT present FROM group_members WHERE chat_id = ? AND tg_user_id = ?",
        (chat_id, tg_user_id),
    )
    return bool(present)
