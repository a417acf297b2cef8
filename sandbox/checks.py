"""Telegram's semantic checks: chat access, replies, keyboards, text lengths."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import ApiError, bad_request, forbidden
from sandbox.html import utf16_len
from sandbox.state import Chat, World

MAX_TEXT = 4096
MAX_CAPTION = 1024
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
    "copy_text", "callback_game", "pay",
)  # fmt: skip
_BUTTON_URL = re.compile(r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", re.IGNORECASE)


def resolve_chat(world: World, chat_id: Any, access: str = "write") -> Chat:
    """Find a chat and check the bot may use it ("write", "edit" or "read" access)."""
    chat = world.find_chat(chat_id) if chat_id is not None else None
    if chat is None:
        raise bad_request("chat not found")
    write = access == "write"
    edit = access in ("write", "edit")
    if chat.type == "private":
        user = chat.user
        if write and user is not None and user.blocked:
            raise forbidden("bot was blocked by the user")
        if write and user is not None and not user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat
    if chat.migrated_to is not None and write:
        raise bad_request(
            "group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.migrated_to},
        )
    kind = "supergroup" if chat.type == "supergroup" else "group"
    if chat.bot_status == "kicked" and (edit or chat.type == "supergroup"):
        raise forbidden(f"bot was kicked from the {kind} chat")
    if chat.bot_status == "left" and (edit or chat.type == "supergroup"):
        raise forbidden(f"bot is not a member of the {kind} chat")
    return chat


def reply_target(world: World, chat: Chat, params: dict[str, Any]) -> dict[str, Any] | None:
    """Return the message being replied to (one level deep) or None; check it exists."""
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id", params.get("reply_to_message_id"))
    if message_id is None:
        return None
    allow = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
    target_chat = chat
    if reply.get("chat_id") is not None:
        target_chat = world.find_chat(reply["chat_id"]) or chat
    stored = target_chat.messages.get(message_id)
    if stored is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    data = dict(stored.data)
    data.pop("reply_to_message", None)
    return data


def check_markup(markup: dict[str, Any] | None) -> None:
    """Apply inline keyboard button rules (data size, text, exactly one action)."""
    if not markup or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            check_button(button)


def check_button(button: dict[str, Any]) -> None:
    """Validate one inline keyboard button like the Bot API does."""
    prefix = "can't parse inline keyboard button: "
    if not button.get("text"):
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _BUTTON_ACTIONS if button.get(key) not in (None, "")]
    if not actions:
        if button.get("callback_data") == "":
            raise bad_request("BUTTON_DATA_INVALID")
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(prefix + "Exactly one of the optional fields must be used")
    if "callback_data" in actions:
        size = len(button["callback_data"].encode("utf-8"))
        if not 1 <= size <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions and not _BUTTON_URL.match(button["url"]):
        raise bad_request(
            f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
        )


def check_text(text: str) -> None:
    """Check a message text length after entity parsing."""
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(caption: str) -> None:
    """Check a media caption length after entity parsing."""
    if utf16_len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def flood(world: World, chat: Chat) -> None:
    """Spend flood-control tokens for a message, or raise 429 with retry_after."""
    retry = world.flood.acquire(chat.id, chat.is_group)
    if retry is not None:
        raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
