"""Method dispatch and the non-message Bot API methods (updates, commands, chats, files)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from sandbox import messages
from sandbox.checks import resolve_chat
from sandbox.errors import ApiError, bad_request
from sandbox.members import (
    administrators,
    bot_member_object,
    chat_permissions,
    member_count,
    member_object,
    member_update,
    status_of,
)
from sandbox.schema import Schema
from sandbox.state import World

Handler = Callable[[World, dict[str, Any]], Any]
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_BOT_TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}


def get_me(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """getMe."""
    return {
        **world.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(world: World, params: dict[str, Any]) -> list[dict[str, Any]]:
    """getUpdates with long polling."""
    if world.webhook.get("url"):
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    if params.get("allowed_updates") is not None:
        world.updates.set_allowed(params["allowed_updates"])
    limit = params.get("limit") or 100
    timeout = params.get("timeout") or 0
    batch = await world.updates.get(params.get("offset"), limit, timeout)
    return copy.deepcopy(batch)


_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def set_webhook(world: World, params: dict[str, Any]) -> bool:
    """setWebhook: pending updates are then posted to the URL (sandbox.webhook)."""
    url = params["url"]
    if not url:
        return delete_webhook(world, params)
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET_TOKEN.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if params.get("allowed_updates") is not None:
        world.updates.set_allowed(params["allowed_updates"])
    world.webhook = {
        "url": url,
        "secret_token": secret,
        "allowed_updates": params.get("allowed_updates"),
        "max_connections": params.get("max_connections") or 40,
    }
    if params.get("drop_pending_updates"):
        world.updates.clear()
    world.notifier.notify()
    return True


def delete_webhook(world: World, params: dict[str, Any]) -> bool:
    """deleteWebhook."""
    world.webhook = {"url": ""}
    if params.get("drop_pending_updates"):
        world.updates.clear()
    world.notifier.notify()
    return True


def get_webhook_info(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """getWebhookInfo."""
    hook = world.webhook
    info: dict[str, Any] = {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending),
    }
    if info["url"]:
        info["max_connections"] = hook.get("max_connections") or 40
    for key in ("allowed_updates", "last_error_date", "last_error_message"):
        if hook.get(key):
            info[key] = hook[key]
    return info


def _true(world: World, params: dict[str, Any]) -> bool:
    return True


def scope_key(world: World, params: dict[str, Any]) -> tuple[str, int | None, int | None, str]:
    """Return the storage key for a command scope plus language code."""
    scope = params.get("scope") or {"type": "default"}
    chat_id = scope.get("chat_id")
    if chat_id is not None:
        chat = world.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        chat_id = chat.id
    return scope["type"], chat_id, scope.get("user_id"), params.get("language_code") or ""


def set_my_commands(world: World, params: dict[str, Any]) -> bool:
    """setMyCommands."""
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not _COMMAND_NAME.match(command["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command["description"]) <= 256:
            raise bad_request("command description must be non-empty")
    key = scope_key(world, params)
    world.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    world.notifier.notify()
    return True


def get_my_commands(world: World, params: dict[str, Any]) -> list[dict[str, str]]:
    """getMyCommands."""
    return copy.deepcopy(world.commands.get(scope_key(world, params), []))


def delete_my_commands(world: World, params: dict[str, Any]) -> bool:
    """deleteMyCommands."""
    world.commands.pop(scope_key(world, params), None)
    world.notifier.notify()
    return True


def _bot_text_setter(field: str) -> Handler:
    def handler(world: World, params: dict[str, Any]) -> bool:
        value = params.get(field) or ""
        if len(value) > _BOT_TEXT_LIMITS[field]:
            raise bad_request(f"bot {field.replace('_', ' ')} is too long")
        world.bot_texts.setdefault(field, {})[params.get("language_code") or ""] = value
        return True

    return handler


def _bot_text_getter(field: str) -> Handler:
    def handler(world: World, params: dict[str, Any]) -> dict[str, str]:
        texts = world.bot_texts.get(field, {})
        language = params.get("language_code") or ""
        default = world.bot.first_name if field == "name" else ""
        return {field: texts.get(language, texts.get("", default))}

    return handler


def get_chat(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """getChat (ChatFullInfo)."""
    chat = resolve_chat(world, params["chat_id"], access="read")
    info = {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat.is_group:
        info["permissions"] = chat_permissions(chat)
    pinned = [m for m in chat.messages.values() if m.pinned]
    if pinned:
        info["pinned_message"] = copy.deepcopy(pinned[-1].data)
    return info


def get_chat_member(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """getChatMember."""
    chat = resolve_chat(world, params["chat_id"], access="read")
    user = world.user(params["user_id"])
    if user is None:
        raise bad_request("user not found")
    if user.id == world.bot.id:
        return bot_member_object(world, chat)
    return member_object(user, status_of(world, chat, user.id))


def get_chat_administrators(world: World, params: dict[str, Any]) -> list[dict[str, Any]]:
    """getChatAdministrators."""
    chat = resolve_chat(world, params["chat_id"], access="read")
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return administrators(world, chat)


def get_chat_member_count(world: World, params: dict[str, Any]) -> int:
    """getChatMemberCount."""
    return member_count(world, resolve_chat(world, params["chat_id"], access="read"))


def leave_chat(world: World, params: dict[str, Any]) -> bool:
    """leaveChat; the bot gets a my_chat_member update."""
    chat = resolve_chat(world, params["chat_id"], access="edit")
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    old = chat.bot_status
    chat.bot_status = "left"
    world.updates.push(
        "my_chat_member", member_update(world, chat, world.bot, world.bot, old, "left")
    )
    return True


def get_file(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """getFile."""
    stored = world.files.get(params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api()


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "logOut": _true,
    "close": _true,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _bot_text_setter("description"),
    "getMyDescription": _bot_text_getter("description"),
    "setMyShortDescription": _bot_text_setter("short_description"),
    "getMyShortDescription": _bot_text_getter("short_description"),
    "setMyName": _bot_text_setter("name"),
    "getMyName": _bot_text_getter("name"),
    "sendMessage": messages.send_message,
    "sendPhoto": messages.send_photo,
    "sendDocument": messages.send_document,
    "sendVoice": messages.send_voice,
    "sendAudio": messages.send_audio,
    "sendVideoNote": messages.send_video_note,
    "sendLocation": messages.send_location,
    "sendChatAction": messages.send_chat_action,
    "editMessageText": messages.edit_message_text,
    "editMessageCaption": messages.edit_message_caption,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "deleteMessage": messages.delete_message,
    "pinChatMessage": messages.pin_chat_message,
    "unpinChatMessage": messages.unpin_chat_message,
    "answerCallbackQuery": messages.answer_callback_query,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "leaveChat": leave_chat,
    "getFile": get_file,
}


def handler_for(schema: Schema, method: str) -> Handler:
    """Return the implementation of a schema method, or the generic fallback."""
    handler = HANDLERS.get(method)
    if handler is not None:
        return handler
    if schema.returns(method) in (["Boolean"], ["True"]):
        return _true
    return _unsupported


def _unsupported(world: World, params: dict[str, Any]) -> Any:
    raise bad_request("method not supported by the sandbox")
