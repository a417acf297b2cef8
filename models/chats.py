"""Telegram chats as the rules see them."""

from __future__ import annotations


def addressable(message_id: int | None) -> int | None:
    """A stored message id if it still names a message, else None.

    When a group becomes a supergroup its records move to the new chat id, but message ids
    do not carry over: the moved ids are kept negated (see bot/storage/chat_ids.py).
    """
    return message_id if message_id is not None and message_id > 0 else None
