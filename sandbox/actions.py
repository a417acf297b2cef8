"""What users do: send messages, press buttons, join and leave, add or remove the bot."""

from __future__ import annotations

import copy
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from sandbox.entities import detect
from sandbox.messages import MEDIA, document_object, media_object, photo_sizes
from sandbox.state import CallbackRecord, Chat, User, World

ChatRef = Chat | User | int


@dataclass
class Injected:
    """The outcome of a user action: the updates queued for the bot and the stored message."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    message: dict[str, Any] | None = None
    query_id: str | None = None

    @property
    def update(self) -> dict[str, Any] | None:
        """The first update delivered to the bot, or None when the bot sees nothing."""
        return self.updates[0] if self.updates else None

    @property
    def update_id(self) -> int | None:
        """The first delivered update's id, or None."""
        return self.update["update_id"] if self.update else None

    @property
    def message_id(self) -> int | None:
        """The stored message's id, when the action posted a message."""
        return self.message["message_id"] if self.message else None

    @property
    def chat_id(self) -> int | None:
        """The chat of the stored message."""
        return self.message["chat"]["id"] if self.message else None

    def as_dict(self) -> dict[str, Any]:
        """A mapping like the Update (update_id None when privacy mode hid the message)."""
        merged: dict[str, Any] = {"update_id": self.update_id}
        if self.update:
            merged.update(self.update)
        elif self.message is not None:
            merged["message"] = self.message
        if self.query_id is not None:
            merged["callback_query_id"] = self.query_id
        return merged

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style access with a default."""
        return self.as_dict().get(key, default)


def tiny_png(width: int = 64, height: int = 48) -> bytes:
    """Return a valid grey PNG image of the given size."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class UserActions:
    """Injection of user activity; mixed into Sandbox (expects a `world` attribute)."""

    world: World

    def _chat(self, ref: ChatRef) -> Chat:
        if isinstance(ref, Chat):
            return ref
        if isinstance(ref, User):
            return self.world.private_chat(ref)
        chat = self.world.find_chat(ref)
        if chat is None:
            raise KeyError(f"unknown chat {ref!r}")
        return chat

    def _post(
        self, user: User, ref: ChatRef | None, content: dict[str, Any], reply_to: int | None
    ) -> Injected:
        chat = self._chat(user if ref is None else ref)
        if chat.type == "private":
            user.started = True
            user.blocked = False
        elif chat.members.get(user.id) not in ("creator", "administrator", "member", "restricted"):
            raise ValueError(f"{user.first_name} is not a member of {chat.title}")
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was migrated to {chat.migrated_to}")
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None:
                raise KeyError(f"no message {reply_to} in chat {chat.id}")
            replied = copy.deepcopy(target.data)
            replied.pop("reply_to_message", None)
            content["reply_to_message"] = replied
        stored = self.world.post(chat, user, content)
        update = self.world.deliver(chat, copy.deepcopy(stored.data))
        return Injected([update] if update else [], copy.deepcopy(stored.data))

    def send_text(
        self, user: User, chat: ChatRef | None, text: str, reply_to: int | None = None
    ) -> Injected:
        """A user sends a text message (commands get bot_command entities)."""
        content: dict[str, Any] = {"text": text}
        entities = detect(text)
        if entities:
            content["entities"] = entities
        return self._post(user, chat, content, reply_to)

    def edit_text(self, user: User, chat: ChatRef | None, message_id: int, text: str) -> Injected:
        """A user edits their own message: the new text (or caption) and an edited_message."""
        target = self._chat(user if chat is None else chat)
        stored = target.messages.get(message_id)
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {target.id}")
        if stored.sender_id != user.id:
            raise ValueError(f"{user.first_name} did not send message {message_id}")
        field = "caption" if "photo" in stored.data else "text"
        stored.data[field] = text
        stored.data.pop(f"{field}_entities" if field == "caption" else "entities", None)
        entities = detect(text)
        if entities:
            stored.data["caption_entities" if field == "caption" else "entities"] = entities
        stored.data["edit_date"] = self.world.now()
        self.world.notifier.notify()
        update = self.world.deliver(target, copy.deepcopy(stored.data), kind="edited_message")
        return Injected([update] if update else [], copy.deepcopy(stored.data))

    def send_photo(
        self,
        user: User,
        chat: ChatRef | None,
        caption: str | None = None,
        data: bytes | None = None,
        reply_to: int | None = None,
    ) -> Injected:
        """A user sends a photo (a generated PNG unless bytes are given)."""
        content: dict[str, Any] = {"photo": photo_sizes(self.world, data or tiny_png())}
        if caption:
            content["caption"] = caption
            entities = detect(caption)
            if entities:
                content["caption_entities"] = entities
        return self._post(user, chat, content, reply_to)

    def send_document(
        self,
        user: User,
        chat: ChatRef | None,
        data: bytes,
        file_name: str = "file.bin",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> Injected:
        """A user sends a document."""
        content: dict[str, Any] = {
            "document": document_object(self.world, data, file_name, mime_type)
        }
        if caption:
            content["caption"] = caption
        return self._post(user, chat, content, None)

    def send_location(
        self,
        user: User,
        chat: ChatRef | None,
        latitude: float,
        longitude: float,
        reply_to: int | None = None,
    ) -> Injected:
        """A user shares a location."""
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._post(user, chat, {"location": location}, reply_to)

    def send_media(
        self,
        user: User,
        chat: ChatRef | None,
        kind: str,
        duration: int,
        size: int = 24_000,
        caption: str | None = None,
        reply_to: int | None = None,
        mime_type: str | None = None,
    ) -> Injected:
        """A user sends a recording: `kind` voice, audio or video_note (no caption), of
        `duration` seconds and a declared `size` in bytes."""
        if kind not in MEDIA:
            raise ValueError(f"unknown recording kind {kind!r}")
        content: dict[str, Any] = {kind: media_object(self.world, kind, duration, size, mime_type)}
        if caption and kind != "video_note":
            content["caption"] = caption
            entities = detect(caption)
            if entities:
                content["caption_entities"] = entities
        return self._post(user, chat, content, reply_to)

    def send_contact(
        self, user: User, chat: ChatRef | None, phone_number: str, own: bool = True
    ) -> Injected:
        """A user shares a contact (their own by default, with user_id set)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": user.first_name}
        if own:
            contact["user_id"] = user.id
        return self._post(user, chat, {"contact": contact}, None)

    def press(
        self, user: User, target: Any, message_id_or_data: int | str, data: str | None = None
    ) -> Injected:
        """A user presses an inline button: press(u, message, data) or press(u, chat, id, data).

        Given a message dict, the button must exist in that (possibly stale) view of it, as a
        user may press an old keyboard; given a chat and id, in the message's current state.
        The callback query always carries the message as it is now.
        """
        view: dict[str, Any] | None = None
        if data is None:
            message: dict[str, Any] | None = (
                target.message if isinstance(target, Injected) else target
            )
            if message is None:
                raise ValueError("press() needs a message, or a chat and a message id")
            chat = self._chat(message["chat"]["id"])
            message_id, data = int(message["message_id"]), str(message_id_or_data)
            view = message
        else:
            chat, message_id = self._chat(target), int(message_id_or_data)
        stored = chat.messages.get(message_id)
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {chat.id}")
        if not _has_button(view or stored.data, data):
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        return self._callback_query(user, chat, message_id, data)

    def forge_press(self, user: User, chat: ChatRef, message_id: int, data: str) -> Injected:
        """A callback query with any data on any message of a chat, no button needed.

        What a modified client or an old keyboard from an earlier bot version may send:
        the bot must treat callback data as untrusted input.
        """
        target = self._chat(chat)
        if message_id not in target.messages:
            raise KeyError(f"no message {message_id} in chat {target.id}")
        return self._callback_query(user, target, message_id, data)

    def inject_update(self, kind: str, payload: dict[str, Any]) -> Injected:
        """Queue a raw update of any kind (poll, chat_join_request, message_reaction, …)."""
        update = self.world.updates.push(kind, copy.deepcopy(payload))
        return Injected([update] if update else [])

    def _callback_query(self, user: User, chat: Chat, message_id: int, data: str) -> Injected:
        stored = chat.messages[message_id]
        query_id = self.world.new_callback_id()
        self.world.callbacks[query_id] = CallbackRecord(
            query_id, user.id, chat.id, message_id, data, time.monotonic()
        )
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": copy.deepcopy(stored.data),
            "chat_instance": str(abs(chat.id) * 7919 % 10**12),
            "data": data,
        }
        update = self.world.updates.push("callback_query", query)
        return Injected([update] if update else [], copy.deepcopy(stored.data), query_id)


def _has_button(message: dict[str, Any], data: str) -> bool:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return any(button.get("callback_data") == data for row in rows for button in row)
