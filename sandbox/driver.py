"""The Sandbox: a local fake Telegram Bot API server plus an in-process test driver."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from sandbox.actions import ChatRef, UserActions
from sandbox.faults import Fault
from sandbox.flood import FloodControl
from sandbox.membership import MembershipActions
from sandbox.schema import Schema
from sandbox.server import BotApiServer
from sandbox.state import Call, Chat, StoredMessage, User, World
from sandbox.webhook import Push, WebhookPusher

T = TypeVar("T")


class Sandbox(UserActions, MembershipActions):
    """A fake Telegram for one bot: run the server, inject user activity, inspect results."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "sandbox_bot",
        bot_name: str = "Sandbox Bot",
        flood_limits: bool = True,
        privacy_mode: bool = True,
        strict_html: bool = True,
        callback_timeout: float = 15.0,
        flood_tolerance: float = 0.5,
        webhook_retry: tuple[float, float] = (0.05, 1.0),
    ):
        """`webhook_retry`: the first wait before a failed webhook delivery is posted again,
        and the longest (Telegram waits longer; tests need not)."""
        self.world = World(
            token,
            bot_username,
            bot_name,
            privacy_mode,
            flood_limits,
            strict_html,
            callback_timeout,
            flood_tolerance,
        )
        self.pusher = WebhookPusher(self.world, *webhook_retry)
        self._schema: Schema | None = None
        self._runner: web.AppRunner | None = None
        self.url: str | None = None
        self.base_url: str | None = None
        self.base_file_url: str | None = None

    @property
    def token(self) -> str:
        """The bot token the server accepts."""
        return self.world.token

    @property
    def bot(self) -> User:
        """The bot's own user record."""
        return self.world.bot

    @property
    def schema(self) -> Schema:
        """The Bot API schema, loaded on first use."""
        if self._schema is None:
            self._schema = Schema.load()
        return self._schema

    @property
    def flood(self) -> FloodControl:
        """The flood-control model (switch with `.enabled`, inject a `.clock`)."""
        return self.world.flood

    def build_app(self) -> web.Application:
        """Create the aiohttp application with the Bot API and control routes."""
        from sandbox.control import add_control_routes

        app = web.Application(client_max_size=64 * 1024 * 1024)
        BotApiServer(self.world, lambda: self.schema).add_routes(app)
        add_control_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving; return the base_url to give PTB (".../bot")."""
        self.world.updates.closing = False
        runner = web.AppRunner(
            self.build_app(), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        self.url = f"http://{host}:{bound_port}"
        self.base_url = f"{self.url}/bot"
        self.base_file_url = f"{self.url}/file/bot"
        self.pusher.start()
        return self.base_url

    async def stop(self) -> None:
        """End pending long polls and webhook deliveries, and stop the server."""
        self.world.updates.closing = True
        self.world.notifier.notify()
        await self.pusher.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def add_user(
        self,
        first_name: str,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> User:
        """Create a user (ids are deterministic and increasing)."""
        return self.world.add_user(first_name, last_name, username, language_code)

    def add_group(
        self,
        title: str,
        members: list[User] | tuple[User, ...] = (),
        supergroup: bool = False,
        members_can_pin: bool = True,
        admins: list[User] | tuple[User, ...] = (),
        bot_status: str = "member",
        username: str | None = None,
    ) -> Chat:
        """Create a group; the first member is its creator; the bot is in it unless told."""
        chat = Chat(
            self.world.new_group_id(supergroup),
            "supergroup" if supergroup else "group",
            title=title,
            username=username,
            bot_status=bot_status,
            members_can_pin=members_can_pin,
        )
        for index, user in enumerate(members):
            chat.members[user.id] = "creator" if index == 0 else "member"
        for user in admins:
            if chat.members.get(user.id) != "creator":
                chat.members[user.id] = "administrator"
        self.world.chats[chat.id] = chat
        return chat

    def private(self, user: User) -> Chat:
        """The private chat between the bot and a user."""
        return self.world.private_chat(user)

    def chat(self, ref: ChatRef) -> Chat:
        """Resolve a chat, chat id or user (private chat)."""
        return self._chat(ref)

    def start_bot(self, user: User) -> None:
        """The user opened the bot, so the bot may write to them (no update is sent)."""
        user.started = True
        self.world.private_chat(user)

    def block_bot(self, user: User) -> None:
        """The user blocks the bot."""
        user.blocked = True

    def unblock_bot(self, user: User) -> None:
        """The user unblocks the bot."""
        user.blocked = False

    def _stored(self, chat: ChatRef) -> list[StoredMessage]:
        return list(self._chat(chat).messages.values())

    def messages(self, chat: ChatRef) -> list[dict[str, Any]]:
        """The chat history as Telegram returns messages, each with an extra "pinned" flag."""
        return [{**copy.deepcopy(m.data), "pinned": m.pinned} for m in self._stored(chat)]

    def message(self, chat: ChatRef, message_id: int) -> dict[str, Any] | None:
        """One stored message (current state) or None when absent or deleted."""
        stored = self._chat(chat).messages.get(message_id)
        return {**copy.deepcopy(stored.data), "pinned": stored.pinned} if stored else None

    def bot_messages(self, chat: ChatRef) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat."""
        return [m for m in self.messages(chat) if m["from"]["id"] == self.bot.id]

    def last_bot_message(self, chat: ChatRef) -> dict[str, Any] | None:
        """The latest message the bot sent to a chat, or None."""
        sent = self.bot_messages(chat)
        return sent[-1] if sent else None

    @property
    def calls(self) -> list[Call]:
        """Every Bot API call received, in order."""
        return self.world.calls

    def calls_to(self, method: str) -> list[Call]:
        """Calls of one method (case-insensitive)."""
        return [c for c in self.world.calls if c.method.lower() == method.lower()]

    def errors(self) -> list[Call]:
        """Calls that were answered with an error."""
        return [c for c in self.world.calls if not c.ok]

    def inject_fault(
        self,
        method: str,
        kind: str,
        count: int = 1,
        retry_after: int = 5,
        description: str = "",
        seconds: float = 30.0,
    ) -> Fault:
        """Make the next `count` calls of `method` fail: "500", "502", "429" (with
        `retry_after`), "403", "400" (with `description`) or "hang" (for `seconds`, then 504)."""
        return self.world.faults.add(method, kind, count, retry_after, description, seconds)

    def clear_faults(self, method: str | None = None) -> None:
        """Forget the faults not yet used (of one method, or all)."""
        self.world.faults.clear(method)

    def commands(
        self,
        scope_type: str | None = None,
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> list[dict[str, str]]:
        """The command list registered for a scope and language (default scope when None)."""
        key = (scope_type or "default", chat_id, None, language_code or "")
        return copy.deepcopy(self.world.commands.get(key, []))

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes behind a file_id."""
        stored = self.world.files.get(file_id)
        if stored is None:
            raise KeyError(f"unknown file_id {file_id!r}")
        return stored.data

    def document(self, message: dict[str, Any]) -> bytes:
        """The bytes of a message's document."""
        return self.file_bytes(message["document"]["file_id"])

    def photo_bytes(self, message: dict[str, Any]) -> bytes:
        """The bytes of a message's largest photo size."""
        return self.file_bytes(message["photo"][-1]["file_id"])

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery parameters for a query, or None if unanswered."""
        record = self.world.callbacks.get(query_id)
        return copy.deepcopy(record.answer) if record else None

    @property
    def pushes(self) -> list[Push]:
        """Every webhook delivery attempt, in order."""
        return list(self.world.pushes)

    def lose_webhook_answers(self, count: int = 1, status: int = 502) -> None:
        """The next `count` webhook deliveries reach the bot, but its 2xx answer is lost and
        `status` comes back instead (a proxy timing out): Telegram posts them again."""
        self.world.webhook_answers_lost = (status, count)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by getUpdates."""
        return copy.deepcopy(self.world.updates.pending)

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 10.0) -> T:  # noqa: ASYNC109
        """Wait until predicate() is truthy (re-checked on every change) and return it."""
        try:
            return await self.world.notifier.wait_for(predicate, timeout)
        except TimeoutError:
            recent = ", ".join(_describe(c) for c in self.world.calls[-8:]) or "none"
            name = getattr(predicate, "__name__", repr(predicate))
            raise TimeoutError(
                f"sandbox: {name} still false after {timeout}s; "
                f"{len(self.world.updates.pending)} pending updates; recent calls: {recent}"
            ) from None

    async def wait_updates_consumed(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until getUpdates has confirmed every injected update."""
        await self.wait_for(lambda: not self.world.updates.pending, timeout)

    async def wait_bot_message(
        self,
        chat: ChatRef,
        after: int | None = None,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Wait for a bot message in a chat newer than `after`, optionally containing text."""

        def found() -> dict[str, Any] | None:
            for message in self.bot_messages(chat):
                if after is not None and message["message_id"] <= after:
                    continue
                body = message.get("text") or message.get("caption") or ""
                if contains is None or contains in body:
                    return message
            return None

        found.__name__ = f"bot message in {self._chat(chat).id}"
        return await self.wait_for(found, timeout)


def _describe(call: Call) -> str:
    if call.ok:
        return call.method
    return f"{call.method}->{call.error_code} {call.description}"
