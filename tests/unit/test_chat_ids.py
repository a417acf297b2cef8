"""Every column holding a Telegram chat id follows a group's supergroup upgrade."""

from __future__ import annotations

from pathlib import Path

from bot.storage.chat_ids import CHAT_COLUMNS, CONVERSATIONS, KEPT_AS_HISTORY, move_chat
from bot.storage.db import Database

# Moved by bot/storage/groups.py itself.
GROUP_TABLES = {("groups", "chat_id"), ("group_members", "chat_id")}


async def _chat_columns(db: Database) -> set[tuple[str, str]]:
    found = set()
    for table in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for column in await db.fetchall(f"PRAGMA table_info('{table['name']}')"):
            if column["name"].endswith("chat_id"):
                found.add((table["name"], column["name"]))
    return found


async def test_every_chat_id_column_of_every_migration_is_listed(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "grid.sqlite3")
    try:
        listed = {(c.table, c.column) for c in CHAT_COLUMNS}
        assert await _chat_columns(db) - listed - GROUP_TABLES - KEPT_AS_HISTORY == set()
        assert listed <= await _chat_columns(db)
    finally:
        await db.close()


async def test_move_chat_moves_rows_and_retires_old_message_ids(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "grid.sqlite3")
    try:
        async with db.reading():
            await db.execute("PRAGMA foreign_keys=OFF")  # a note without its report
        async with db.transaction():
            await db.execute(
                "INSERT INTO flow_chat_data (chat_id, data, updated_at) VALUES (-5, '{}', 0)"
            )
            await db.execute(
                f"INSERT INTO {CONVERSATIONS} (name, key, state, updated_at) "
                "VALUES ('flows', '[-5,42]', '1', 0), ('flows', '[42,42]', '1', 0)"
            )
            await db.execute(
                "INSERT INTO pending_questions (chat_id, message_id, tg_user_id, flow, kind, "
                "subject_id, asked_at, expires_at) VALUES (-5, 7, 42, 'note', 'resolve', 1, 0, 9)"
            )
            moved = await move_chat(db, -5, -1005)
            again = await move_chat(db, -5, -1005)
        assert moved == 3 and again == 0
        keys = [r[0] for r in await db.fetchall(f"SELECT key FROM {CONVERSATIONS} ORDER BY key")]
        assert keys == ["[-1005,42]", "[42,42]"]
        assert await db.scalar("SELECT chat_id FROM flow_chat_data") == -1005
        row = await db.fetchone("SELECT chat_id, message_id FROM pending_questions")
        assert tuple(row) == (-1005, -7)
    finally:
        await db.close()
