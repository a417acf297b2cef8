"""The sandbox's world as one person's phone shows it: chats, messages, menus, forced replies."""

from __future__ import annotations

import json
from typing import Any

from sandbox.driver import Sandbox
from sandbox.state import Chat, StoredMessage, User

_MEMBER = ("creator", "administrator", "member", "restricted")
_SENDS = ("sendMessage", "sendPhoto", "sendDocument")


def chats_of(sb: Sandbox, user: User) -> list[dict[str, Any]]:
    """The person's chat list: the private chat with the bot, then their groups, newest first."""
    private = sb.world.private_chat(user)
    groups = [
        chat
        for chat in sb.world.chats.values()
        if chat.is_group and chat.migrated_to is None and chat.members.get(user.id) in _MEMBER
    ]
    listed = [_summary(sb, private, user)]
    listed += sorted(
        (_summary(sb, chat, user) for chat in groups),
        key=lambda c: (-c["last_date"], c["title"]),
    )
    return listed


def _summary(sb: Sandbox, chat: Chat, user: User) -> dict[str, Any]:
    messages = _visible(chat)
    last = messages[-1] if messages else None
    return {
        "id": chat.id,
        "type": chat.type,
        "title": chat.title if chat.is_group else (sb.bot.first_name or ""),
        "last": message_json(sb, last) if last else None,
        "last_date": int(last.data["date"]) if last else 0,
    }


def _visible(chat: Chat) -> list[StoredMessage]:
    return list(chat.messages.values())


def chat_view(sb: Sandbox, chat: Chat, user: User, language: str) -> dict[str, Any]:
    """Everything the page draws for one open chat."""
    messages = [message_json(sb, m) for m in _visible(chat)]
    pinned = [m for m in messages if m["pinned"]]
    return {
        "id": chat.id,
        "type": chat.type,
        "title": chat.title if chat.is_group else (sb.bot.first_name or ""),
        "members": len(chat.members) + (1 if chat.bot_is_member else 0),
        "messages": messages,
        "pinned": pinned[-1] if pinned else None,
        "commands": commands_for(sb, chat, language),
        "force_reply": pending_force_reply(sb, chat, user),
        "keyboard": reply_keyboard(sb, chat, user),
    }


def message_json(sb: Sandbox, stored: StoredMessage) -> dict[str, Any]:
    """One message, flattened for the page."""
    data = stored.data
    sender = data.get("from") or {}
    out: dict[str, Any] = {
        "id": stored.message_id,
        "from": {
            "id": sender.get("id"),
            "name": sender.get("first_name", ""),
            "is_bot": sender.get("is_bot", False),
        },
        "date": data.get("date", 0),
        "edited": "edit_date" in data,
        "pinned": stored.pinned,
        "text": data.get("text") or data.get("caption") or "",
        "entities": data.get("entities") or data.get("caption_entities") or [],
        "buttons": [
            [_button(b) for b in row]
            for row in (data.get("reply_markup") or {}).get("inline_keyboard", [])
        ],
    }
    if "photo" in data:
        out["photo"] = data["photo"][-1]["file_id"]
    if "document" in data:
        doc = data["document"]
        out["document"] = {"file_id": doc["file_id"], "name": doc.get("file_name") or "file"}
    if "location" in data:
        out["location"] = data["location"]
    for kind in ("voice", "audio", "video_note"):
        if kind in data:  # shown as a mark with its length (the page plays nothing)
            out["recording"] = {"kind": kind, "duration": data[kind].get("duration", 0)}
    reply = data.get("reply_to_message")
    if reply:
        out["reply_to"] = {
            "id": reply["message_id"],
            "name": (reply.get("from") or {}).get("first_name", ""),
            "text": (reply.get("text") or reply.get("caption") or "")[:80],
        }
    service = _service(data)
    if service:
        out["service"] = service
    return out


def _button(button: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {"text": button.get("text", "")}
    for key in ("callback_data", "url"):
        if key in button:
            shaped["data" if key == "callback_data" else "url"] = button[key]
    return shaped


def _service(data: dict[str, Any]) -> dict[str, Any] | None:
    if "new_chat_members" in data:
        names = [m.get("first_name", "") for m in data["new_chat_members"]]
        return {"kind": "joined", "names": names}
    if "left_chat_member" in data:
        return {"kind": "left", "names": [data["left_chat_member"].get("first_name", "")]}
    if "pinned_message" in data:
        return {"kind": "pinned", "names": [(data.get("from") or {}).get("first_name", "")]}
    if "migrate_to_chat_id" in data or "migrate_from_chat_id" in data:
        return {"kind": "migrated", "names": []}
    return None


def commands_for(sb: Sandbox, chat: Chat, language: str) -> list[dict[str, str]]:
    """The command menu Telegram would show here (setMyCommands scopes, most specific first)."""
    scope = "all_private_chats" if chat.type == "private" else "all_group_chats"
    commands = sb.world.commands
    for key in (
        ("chat", chat.id, None, language),
        ("chat", chat.id, None, ""),
        (scope, None, None, language),
        (scope, None, None, ""),
        ("default", None, None, language),
        ("default", None, None, ""),
    ):
        if key in commands:
            return [dict(c) for c in commands[key]]
    return []


def _markup(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def pending_force_reply(sb: Sandbox, chat: Chat, user: User) -> dict[str, Any] | None:
    """The bot's newest forced reply in this chat aimed at this person, unless answered since.

    Telegram never returns ForceReply inside a Message, so it is read from the recorded call.
    Selective: only the author of the message it replies to, or someone it mentions.
    """
    for call in reversed(sb.world.calls):
        if call.method not in _SENDS or not call.ok:
            continue
        result = call.result or {}
        if (result.get("chat") or {}).get("id") != chat.id:
            continue
        markup = _markup(call.params.get("reply_markup"))
        if not markup.get("force_reply"):
            continue
        message_id = int(result["message_id"])
        if message_id not in chat.messages or _answered_since(chat, user, message_id):
            return None
        if markup.get("selective") and chat.is_group and not _aimed_at(result, user):
            continue
        return {"message_id": message_id, "placeholder": markup.get("input_field_placeholder")}
    return None


def _answered_since(chat: Chat, user: User, message_id: int) -> bool:
    return any(m.sender_id == user.id and m.message_id > message_id for m in chat.messages.values())


def _aimed_at(message: dict[str, Any], user: User) -> bool:
    replied = (message.get("reply_to_message") or {}).get("from") or {}
    if replied.get("id") == user.id:
        return True
    text = message.get("text") or message.get("caption") or ""
    for entity in message.get("entities") or []:
        if entity.get("type") == "text_mention" and entity["user"]["id"] == user.id:
            return True
        if entity.get("type") == "mention" and user.username:
            if f"@{user.username}".lower() in text.lower():
                return True
    return False


def reply_keyboard(sb: Sandbox, chat: Chat, user: User) -> list[list[dict[str, Any]]] | None:
    """The reply keyboard the bot last set in this chat (None once removed or used up).

    Like ForceReply, a ReplyKeyboardMarkup never appears inside a Message: read from the calls.
    """
    for call in reversed(sb.world.calls):
        if call.method not in _SENDS or not call.ok:
            continue
        result = call.result or {}
        if (result.get("chat") or {}).get("id") != chat.id:
            continue
        markup = _markup(call.params.get("reply_markup"))
        if markup.get("remove_keyboard"):
            return None
        if "keyboard" not in markup:
            continue
        if markup.get("one_time_keyboard") and _answered_since(chat, user, result["message_id"]):
            return None
        return [
            [
                {
                    "text": b if isinstance(b, str) else b.get("text", ""),
                    "location": isinstance(b, dict) and bool(b.get("request_location")),
                }
                for b in row
            ]
            for row in markup["keyboard"]
        ]
    return None
