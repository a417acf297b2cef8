"""Telegram users the bot has met."""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.storage.db import Database


async def note_person(
    db: Database,
    tg_user_id: int,
    display_name: str,
    username: str | None,
    language: str | None,
    at: int,
    started: bool = False,
    *,
    in_group: int | None = None,
    left_group: int | None = None,
) -> None:
    """Create or refresh a person's record (`started`: they opened the bot) and that they are
    in `in_group` or left `left_group` (each only for a group the bot knows): one transaction,
    in one hop to the database."""
    person = (tg_user_id, display_name, username, language, int(started), at, at)
    members = [
        (chat_id, tg_user_id, present, at, chat_id)
        for chat_id, present in ((in_group, 1), (left_group, 0))
        if chat_id is not None
    ]
    await db.atomically(_note_person, person, members)


_UPSERT_PERSON = (
    "INSERT INTO people (tg_user_id, display_name, username, language, started_bot, "
    "first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(tg_user_id) DO UPDATE SET display_name = excluded.display_name, "
    "username = excluded.username, language = excluded.language, "
    "started_bot = MAX(started_bot, excluded.started_bot), updated_at = excluded.updated_at"
)
# A membership, recorded only for a group the bot knows.
_NOTE_MEMBER = (
    "INSERT INTO group_members (chat_id, tg_user_id, present, seen_at) "
    "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM groups WHERE chat_id = ?) "
    "ON CONFLICT(chat_id, tg_user_id) DO UPDATE SET present = excluded.present, "
    "seen_at = excluded.seen_at"
)


def _note_person(
    conn: sqlite3.Connection, person: tuple[Any, ...], members: list[tuple[Any, ...]]
) -> None:
    conn.execute(_UPSERT_PERSON, person).close()
    for member in members:
        conn.execute(_NOTE_MEMBER, member).close()


async def has_started(db: Database, tg_user_id: int) -> bool:
    """Whether this user has opened a private chat with the bot."""
    return bool(
        await db.scalar("SELECT started_bot FROM people WHERE tg_user_id = ?", (tg_user_id,))
    )


async def language_of(db: Database, tg_user_id: int) -> str | None:
    """The Telegram language code last seen for this person."""
    code = await db.scalar("SELECT language FROM people WHERE tg_user_id = ?", (tg_user_id,))
    return str(code) if code else None


async def is_current(
    db: Database,
    tg_user_id: int,
    display_name: str,
    username: str | None,
    language: str | None,
    started: bool,
    in_group: int | None,
) -> bool:
    """Whether the stored person (and their presence in `in_group`) already says all this."""
    row = await db.fetchone(
        "SELECT p.display_name, p.username, p.language, p.started_bot, "
        "(SELECT present FROM group_members WHERE chat_id = ? AND tg_user_id = p.tg_user_id) "
        "AS present, (SELECT 1 FROM groups WHERE chat_id = ?) AS group_known "
        "FROM people p WHERE p.tg_user_id = ?",
        (in_group, in_group, tg_user_id),
    )
    if row is None:
        return False
    same = (row["display_name"], row["username"], row["language"]) == (
        display_name,
        username,
        language,
    )
    membership = in_group is None or not row["group_known"] or row["present"] == 1
    return same and (row["started_bot"] or not started) and membership
