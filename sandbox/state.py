"""The sandbox world: users, chats, stored messages, callback queries and recorded calls."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.faults import Faults
from sandbox.files import FileStore
from sandbox.flood import FloodControl
from sandbox.updates import Notifier, UpdateQueue

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted")
SERVICE_KEYS = (
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
    "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
    "migrate_to_chat_id", "migrate_from_chat_id", "pinned_message",
)  # fmt: skip


@dataclass
class User:
    """A Telegram user (or the bot itself) known to the sandbox."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False
    blocked: bool = False

    def to_api(self) -> dict[str, Any]:
        """Return the User object as the Bot API serialises it."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass
class StoredMessage:
    """A message in a chat's history, as Telegram would return it, plus pin state."""

    data: dict[str, Any]
    sender_id: int
    pinned: bool = False

    @property
    def message_id(self) -> int:
        """The message's identifier within its chat."""
        return int(self.data["message_id"])


@dataclass
class Chat:
    """A private chat, group or supergroup, with members and message history."""

    id: int
    type: str
    title: str | None = None
    user: User | None = None
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    members_can_pin: bool = True
    # The bot's own pin right while it is an administrator.
    bot_can_pin: bool = True
    migrated_to: int | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups."""
        return self.type in ("group", "supergroup")

    @property
    def bot_is_member(self) -> bool:
        """True while the bot belongs to the chat."""
        return self.type == "private" or self.bot_status in MEMBER_STATUSES

    def to_api(self) -> dict[str, Any]:
        """Return the Chat object embedded in messages."""
        if self.user is not None:
            data = {"id": self.id, "type": "private", **self.user.to_api()}
            for key in ("is_bot", "language_code"):
                data.pop(key, None)
            data["id"] = self.id
            return data
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class CallbackRecord:
    """A callback query injected by a button press, and the bot's answer to it."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answer: dict[str, Any] | None = None


@dataclass
class Call:
    """One Bot API request received by the sandbox server, with its answer."""

    method: str
    params: dict[str, Any]
    response: dict[str, Any]
    time: float
    wall_time: float

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The successful result (None for errors)."""
        return self.response.get("result")

    @property
    def error_code(self) -> int | None:
        """The error code of a failed call."""
        return self.response.get("error_code")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return self.response.get("description")


class World:
    """Everything the fake Telegram knows: the bot, users, chats, files and updates."""

    def __init__(
        self,
        token: str,
        bot_username: str,
        bot_name: str,
        privacy_mode: bool = True,
        flood_limits: bool = True,
        strict_html: bool = True,
        callback_timeout: float = 15.0,
        flood_tolerance: float = 0.5,
    ):
        self.token = token
        self.bot = User(int(token.split(":", 1)[0]), bot_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.strict_html = strict_html
        self.callback_timeout = callback_timeout
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.notifier = Notifier()
        self.updates = UpdateQueue(self.notifier)
        self.flood = FloodControl(enabled=flood_limits, tolerance=flood_tolerance)
        self.files = FileStore()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = {}
        self.bot_texts: dict[str, dict[str, str]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        # Webhook deliveries (sandbox.webhook.Push), and answers to lose: (status, how many).
        self.pushes: list[Any] = []
        self.webhook_answers_lost: tuple[int, int] | None = None
        self.calls: list[Call] = []
        self.faults = Faults()
        self._next_user_id = 100000001
        self._next_group_id = 4000000001
        self._next_supergroup_id = 1002000000001
        self._next_callback = 1

    def now(self) -> int:
        """Current Unix time in whole seconds, as used in message dates."""
        return int(time.time())

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        """Create a user with the next deterministic id."""
        user = User(self._next_user_id, first_name, last_name, username, language_code)
        self._next_user_id += 1
        self.users[user.id] = user
        return user

    def new_group_id(self, supergroup: bool) -> int:
        """Allocate an id for a new group (-N) or supergroup (-100N)."""
        if supergroup:
            self._next_supergroup_id += 1
            return -(self._next_supergroup_id - 1)
        self._next_group_id += 1
        return -(self._next_group_id - 1)

    def new_callback_id(self) -> str:
        """Allocate a callback query id."""
        value = f"{self.bot.id}{self._next_callback:012d}"
        self._next_callback += 1
        return value

    def private_chat(self, user: User) -> Chat:
        """Return (creating on first use) the private chat between the bot and a user."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(user.id, "private", user=user)
            self.chats[user.id] = chat
        return chat

    def find_chat(self, chat_id: int | str) -> Chat | None:
        """Resolve a chat_id (number, numeric string or @username)."""
        if isinstance(chat_id, str):
            text = chat_id.strip()
            if text.lstrip("-").isdigit():
                chat_id = int(text)
            else:
                name = text.lstrip("@").lower()
                return next(
                    (c for c in self.chats.values() if (c.username or "").lower() == name), None
                )
        chat = self.chats.get(chat_id)
        if chat is None and chat_id in self.users:
            chat = self.private_chat(self.users[chat_id])
        return chat

    def user(self, user_id: int) -> User | None:
        """Look a user up by id (the bot included)."""
        return self.bot if user_id == self.bot.id else self.users.get(user_id)

    def post(self, chat: Chat, sender: User, content: dict[str, Any]) -> StoredMessage:
        """Store a new message in a chat with the next message id and return it."""
        data: dict[str, Any] = {
            "message_id": chat.next_message_id,
            "from": sender.to_api(),
            "chat": chat.to_api(),
            "date": self.now(),
        }
        data.update(content)
        chat.next_message_id += 1
        stored = StoredMessage(data, sender.id)
        chat.messages[stored.message_id] = stored
        self.notifier.notify()
        return stored

    def deliver(self, chat: Chat, message: dict[str, Any], kind: str = "message") -> dict | None:
        """Queue a message update when the bot would receive it (privacy mode applied)."""
        if not self.bot_receives(chat, message):
            return None
        return self.updates.push(kind, message)

    def bot_receives(self, chat: Chat, message: dict[str, Any]) -> bool:
        """Apply Telegram's privacy-mode rules for a message in a chat."""
        if chat.type == "private":
            return True
        if not chat.bot_is_member and not _mentions_bot_joining(message, self.bot.id):
            return False
        if not self.privacy_mode or chat.bot_status in ("administrator", "creator"):
            return True
        if any(key in message for key in SERVICE_KEYS):
            return True
        text = message.get("text") or message.get("caption") or ""
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            if "@" not in command:
                return True
            return command.split("@", 1)[1].lower() == (self.bot.username or "").lower()
        reply = message.get("reply_to_message") or {}
        return reply.get("from", {}).get("id") == self.bot.id


def _mentions_bot_joining(message: dict[str, Any], bot_id: int) -> bool:
    return any(m.get("id") == bot_id for m in message.get("new_chat_members", []))
