"""Every column holding a Telegram chat id, and moving them when a group becomes a supergroup.

Telegram gives the supergroup a new chat id and starts its message ids afresh, so a message
id of the old group means nothing (or another message) in the new one. Moved rows keep such
ids negated: still unique, never a real message id, never replied to (models/chats.py).
tests/unit/test_chat_ids.py fails when a migration adds a chat-id column not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database


@dataclass(frozen=True)
class ChatColumn:
    """A table's chat-id column and the columns holding message ids of that chat."""

    table: str
    column: str
    message_columns: tuple[str, ...] = ()


# `groups` itself and its members are moved by bot/storage/groups.py (with the binding rules).
CHAT_COLUMNS: tuple[ChatColumn, ...] = (
    ChatColumn("reports", "source_chat_id", ("source_message_id",)),
    ChatColumn("report_drafts", "chat_id", ("message_id", "question_message_id")),
    ChatColumn("case_notices", "chat_id", ("message_id",)),
    ChatColumn("pending_questions", "chat_id", ("message_id",)),
    ChatColumn("household_link_requests", "chat_id"),
    ChatColumn("flow_chat_data", "chat_id"),
    ChatColumn("pension_requests", "source_chat_id", ("source_message_id",)),
    ChatColumn("announcements", "chat_id"),
    ChatColumn("ledger", "chat_id", ("message_id",)),
    # Where the me-too households and the call-back's people are told and asked.
    ChatColumn("report_affected", "chat_id"),
    ChatColumn("report_ratings", "chat_id"),
    # Notices waiting for the group go to the supergroup (the sender also follows a 400
    # "migrated" answer for rows it is sending when the upgrade happens).
    ChatColumn("outbox", "chat_id", ("message_id",)),
)
# Chat ids inside the persistence table's JSON keys ([chat_id, user_id]).
CONVERSATIONS = "flow_conversations"
# Columns that are chat ids but stay as they were: history.
KEPT_AS_HISTORY = frozenset({("audit_log", "entity_id")})


async def move_chat(db: Database, old_chat_id: int, new_chat_id: int) -> int:
    """Move every row keyed by `old_chat_id` to `new_chat_id`; returns the rows moved.

    Run inside the caller's transaction. A row whose new key is already taken stays where it
    was (OR IGNORE): it can only be a duplicate of one already moved.
    """
    moved = 0
    for chat in CHAT_COLUMNS:
        negate = "".join(
            f", {c} = CASE WHEN {c} > 0 THEN -{c} ELSE {c} END" for c in chat.message_columns
        )
        moved += await db.rowcount(
            f"UPDATE OR IGNORE {chat.table} SET {chat.column} = ?{negate} WHERE {chat.column} = ?",
            (new_chat_id, old_chat_id),
        )
    # An announcement's delivery to a group names the group in its ledger recipient too.
    moved += await db.rowcount(
        "UPDATE OR IGNORE ledger SET recipient = ? WHERE recipient = ?",
        (f"chat:{new_chat_id}", f"chat:{old_chat_id}"),
    )
    moved += await db.rowcount(
        f"UPDATE OR IGNORE {CONVERSATIONS} SET key = json_set(key, '$[0]', ?) "
        "WHERE json_valid(key) AND json_extract(key, '$[0]') = ?",
        (new_chat_id, old_chat_id),
    )
    return moved
