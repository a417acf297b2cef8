"""Bot API methods that send, edit, delete and pin messages, and answer callback queries."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from sandbox.checks import (
    check_caption,
    check_markup,
    check_text,
    flood,
    reply_target,
    resolve_chat,
)
from sandbox.entities import format_text
from sandbox.errors import bad_request
from sandbox.files import StoredFile, UploadedFile, fit, image_size
from sandbox.state import Chat, StoredMessage, World

CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}  # fmt: skip
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def _fill_mentions(world: World, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for entity in entities:
        if entity["type"] == "text_mention":
            user = world.user(entity["user"]["id"])
            if user is not None:
                entity["user"] = user.to_api()
    return entities


def _formatted(
    world: World, text: str, params: dict[str, Any], caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    key = "caption_entities" if caption else "entities"
    plain, entities = format_text(
        text, params.get("parse_mode"), params.get(key), world.strict_html
    )
    return plain, _fill_mentions(world, entities)


def _send(world: World, chat: Chat, content: dict[str, Any], params: dict[str, Any]) -> dict:
    markup = params.get("reply_markup")
    check_markup(markup)
    reply = reply_target(world, chat, params)
    flood(world, chat)
    if reply is not None:
        content["reply_to_message"] = reply
    if markup and "inline_keyboard" in markup:
        content["reply_markup"] = markup
    if params.get("protect_content"):
        content["has_protected_content"] = True
    stored = world.post(chat, world.bot, content)
    return copy.deepcopy(stored.data)


def send_message(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """sendMessage."""
    chat = resolve_chat(world, params["chat_id"])
    text, entities = _formatted(world, params["text"], params, caption=False)
    check_text(text)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return _send(world, chat, content, params)


def _caption(world: World, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("caption"):
        return {}
    caption, entities = _formatted(world, params["caption"], params, caption=True)
    check_caption(caption)
    content: dict[str, Any] = {"caption": caption} if caption else {}
    if entities:
        content["caption_entities"] = entities
    return content


def _file_bytes(world: World, value: Any) -> tuple[bytes, str | None, str | None]:
    if isinstance(value, UploadedFile):
        return value.data, value.filename, value.content_type
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        return b"", value.rsplit("/", 1)[-1] or None, None
    stored = world.files.get(value) if isinstance(value, str) else None
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored.data, stored.file_name, stored.mime_type


def photo_sizes(world: World, data: bytes) -> list[dict[str, Any]]:
    """Store a photo and return its PhotoSize list (thumbnail and full size)."""
    width, height = image_size(data)
    sizes = []
    for box in (90, 1280):
        w, h = fit(width, height, box)
        stored = world.files.add(data, "photo", mime_type="image/jpeg")
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(data),
                "width": w,
                "height": h,
            }
        )
    return sizes


def send_photo(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """sendPhoto."""
    chat = resolve_chat(world, params["chat_id"])
    data, _, _ = _file_bytes(world, params["photo"])
    content = {**_caption(world, params)}
    content["photo"] = photo_sizes(world, data)
    return _send(world, chat, content, params)


def document_object(world: World, data: bytes, name: str | None, mime: str | None) -> dict:
    """Store a document and return its Document object."""
    stored = world.files.add(data, "document", file_name=name, mime_type=mime)
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(data),
    }
    if name:
        document["file_name"] = name
    if mime:
        document["mime_type"] = mime
    return document


def send_document(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """sendDocument."""
    chat = resolve_chat(world, params["chat_id"])
    data, name, mime = _file_bytes(world, params["document"])
    content = {**_caption(world, params)}
    content["document"] = document_object(world, data, name, mime)
    return _send(world, chat, content, params)


# Media a user records and the bot re-sends by file_id: the message field, its MIME type.
MEDIA = {"voice": "audio/ogg", "audio": "audio/mpeg", "video_note": "video/mp4"}


def media_object(
    world: World,
    kind: str,
    duration: int,
    size: int,
    mime_type: str | None = None,
) -> dict[str, Any]:
    """Store a recorded voice, audio or video note and return its object. The bytes kept are
    a short stand-in; `file_size` says the size the client declared."""
    mime = mime_type or MEDIA[kind]
    attributes: dict[str, object] = {"duration": duration}
    if kind == "video_note":
        attributes["length"] = 240
    stored = world.files.add(
        b"\0" * min(size, 64), kind, mime_type=None if kind == "video_note" else mime
    )
    stored.attributes.update(attributes)
    stored.declared_size = size
    return _media_api(kind, stored)


def _media_api(kind: str, stored: StoredFile) -> dict[str, Any]:
    media: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        **stored.attributes,
        "file_size": stored.size,
    }
    if stored.mime_type and kind != "video_note":
        media["mime_type"] = stored.mime_type
    return media


def _send_media(kind: str) -> Callable[[World, dict[str, Any]], dict[str, Any]]:
    def send(world: World, params: dict[str, Any]) -> dict[str, Any]:
        chat = resolve_chat(world, params["chat_id"])
        value = params[kind]
        if isinstance(value, UploadedFile):
            stored = world.files.add(value.data, kind, value.filename, value.content_type)
            stored.attributes["duration"] = int(params.get("duration") or 0)
            if kind == "video_note":
                stored.attributes["length"] = int(params.get("length") or 240)
        else:
            found = world.files.get(value) if isinstance(value, str) else None
            if found is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            stored = found
        content = {} if kind == "video_note" else {**_caption(world, params)}
        content[kind] = _media_api(kind, stored)
        return _send(world, chat, content, params)

    send.__doc__ = f"send{''.join(w.title() for w in kind.split('_'))}."
    return send


send_voice = _send_media("voice")
send_audio = _send_media("audio")
send_video_note = _send_media("video_note")


def send_location(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """sendLocation."""
    chat = resolve_chat(world, params["chat_id"])
    location: dict[str, Any] = {"latitude": params["latitude"], "longitude": params["longitude"]}
    for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        if params.get(key) is not None:
            location[key] = params[key]
    return _send(world, chat, {"location": location}, params)


def send_chat_action(world: World, params: dict[str, Any]) -> bool:
    """sendChatAction."""
    resolve_chat(world, params["chat_id"])
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _own_message(world: World, params: dict[str, Any], verb: str) -> tuple[Chat, StoredMessage]:
    if params.get("inline_message_id"):
        raise bad_request(f"message to {verb} not found")
    if params.get("chat_id") is None or params.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    chat = resolve_chat(world, params["chat_id"], access="edit")
    stored = chat.messages.get(params["message_id"])
    if stored is None:
        raise bad_request(f"message to {verb} not found")
    return chat, stored


def _apply_edit(world: World, stored: StoredMessage, changes: dict[str, Any]) -> dict:
    if all(stored.data.get(key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            stored.data.pop(key, None)
        else:
            stored.data[key] = value
    stored.data["edit_date"] = world.now()
    world.notifier.notify()
    return copy.deepcopy(stored.data)


def _editable(world: World, params: dict[str, Any]) -> StoredMessage:
    _, stored = _own_message(world, params, "edit")
    if stored.sender_id != world.bot.id:
        raise bad_request("message can't be edited")
    markup = params.get("reply_markup")
    check_markup(markup)
    return stored


def edit_message_text(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """editMessageText."""
    stored = _editable(world, params)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = _formatted(world, params.get("text") or "", params, caption=False)
    check_text(text)
    changes = {
        "text": text,
        "entities": entities or None,
        "reply_markup": params.get("reply_markup"),
    }
    return _apply_edit(world, stored, changes)


def edit_message_caption(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """editMessageCaption."""
    stored = _editable(world, params)
    if not any(key in stored.data for key in ("photo", "document", "video", "audio", "animation")):
        raise bad_request("there is no caption in the message to edit")
    content = _caption(world, params)
    changes = {
        "caption": content.get("caption"),
        "caption_entities": content.get("caption_entities"),
        "reply_markup": params.get("reply_markup"),
    }
    return _apply_edit(world, stored, changes)


def edit_message_reply_markup(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """editMessageReplyMarkup."""
    stored = _editable(world, params)
    return _apply_edit(world, stored, {"reply_markup": params.get("reply_markup")})


def delete_message(world: World, params: dict[str, Any]) -> bool:
    """deleteMessage."""
    chat, stored = _own_message(world, params, "delete")
    if chat.is_group and stored.sender_id != world.bot.id and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    del chat.messages[stored.message_id]
    world.notifier.notify()
    return True


def _check_pin_rights(world: World, chat: Chat) -> None:
    if not chat.is_group:
        return
    # An administrator pins with its own right; anyone may when the group lets members pin.
    if (chat.bot_status == "administrator" and chat.bot_can_pin) or chat.members_can_pin:
        return
    raise bad_request("not enough rights to manage pinned messages in the chat")


def pin_chat_message(world: World, params: dict[str, Any]) -> bool:
    """pinChatMessage; posts and delivers the pinned_message service message."""
    chat, stored = _own_message(world, params, "pin")
    _check_pin_rights(world, chat)
    stored.pinned = True
    pinned = copy.deepcopy(stored.data)
    pinned.pop("reply_to_message", None)
    service = world.post(chat, world.bot, {"pinned_message": pinned})
    world.deliver(chat, copy.deepcopy(service.data))
    return True


def unpin_chat_message(world: World, params: dict[str, Any]) -> bool:
    """unpinChatMessage (the given message, or the most recently pinned one)."""
    chat = resolve_chat(world, params["chat_id"], access="edit")
    _check_pin_rights(world, chat)
    message_id = params.get("message_id")
    if message_id is not None:
        stored = chat.messages.get(message_id)
        if stored is None:
            raise bad_request("message to unpin not found")
        stored.pinned = False
    else:
        pinned = [m for m in chat.messages.values() if m.pinned]
        if pinned:
            pinned[-1].pinned = False
    world.notifier.notify()
    return True


def answer_callback_query(world: World, params: dict[str, Any]) -> bool:
    """answerCallbackQuery; each query can be answered once, before it times out."""
    record = world.callbacks.get(params["callback_query_id"])
    expired = record is None or time.monotonic() - record.created > world.callback_timeout
    if record is None or expired or record.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(params.get("text") or "") > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {k: v for k, v in params.items() if k != "callback_query_id"}
    world.notifier.notify()
    return True
