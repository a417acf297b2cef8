"""A stage: the real bot (PTB Application) polling the sandbox over HTTP, on a real SQLite file
(or, with `webhook=True`, taking the sandbox's posts on its webhook server).

The demo plays its walkthrough on it; the end-to-end tests drive it the same way.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import ALLOWED_UPDATES, build_application
from bot.app import start as start_app
from bot.app import stop as stop_app
from bot.clock import FakeClock
from bot.config import Config, config_from_dict
from bot.demo.transcript import Transcript
from bot.inbox import Inbox, Poller
from bot.runtime import RUNTIME_KEY, GridApp, Runtime
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from bot.webhook import WebhookServer
from sandbox.actions import Injected
from sandbox.driver import Sandbox
from sandbox.state import Chat, User
from services.onboarding import accept_invitation, create_invitation
from services.roster import Roster

# 2026-06-10 10:00 in Shanghai: a Wednesday, mid-month, mid-quarter.
START = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
TOKEN = "424242:SANDBOX-TEST"
WEBHOOK_SECRET = "stage-webhook-secret"


class Stage:
    """One sandbox, one database file, and the bot; restartable on the same database."""

    def __init__(
        self,
        tmp: Path,
        roster: Roster,
        settings: dict[str, Any] | None = None,
        flood_limits: bool = False,
        start: datetime = START,
        webhook: bool = False,
    ) -> None:
        self.tmp = tmp
        self.webhook = webhook
        self.roster = roster
        self.sb = Sandbox(
            token=TOKEN,
            bot_username="gridbot_demo_bot",
            bot_name="网格助手",
            flood_limits=flood_limits,
        )
        self.clock = FakeClock(start)
        self.settings = settings or {}
        self.app: GridApp | None = None
        self.inbox: Inbox | None = None
        self._polling: asyncio.Task[None] | None = None
        self._stop_polling = asyncio.Event()
        self._webhook_server: WebhookServer | None = None
        self.config: Config | None = None
        self.users: dict[str, User] = {}
        self.transcript = Transcript(self.sb)

    async def open(self) -> Stage:
        """Start the sandbox, import the roster, start the bot."""
        base_url = await self.sb.start()
        data: dict[str, Any] = {
            "telegram": {
                "token": TOKEN,
                "api_base_url": base_url,
                "api_file_url": self.sb.base_file_url,
                "poll_timeout": "2s",
                "rate_limit": {"enabled": False},
                "webhook": {"url": "http://127.0.0.1", "secret_token": WEBHOOK_SECRET},
            },
            "database": {"path": str(self.tmp / "grid.sqlite3")},
        }
        for section, values in self.settings.items():
            merged = {**data.get(section, {}), **values} if isinstance(values, dict) else values
            data[section] = merged
        self.config = config_from_dict(data)
        db = await Database.open(self.config.database.path)
        await apply_roster(db, self.roster, self.clock.now(), actor="stage")
        await db.close()
        await self.start_bot()
        return self

    async def start_bot(self) -> None:
        """Build and start a fresh Application on the same database, polling into the
        durable inbox as `gridbot run` does (or `gridbot run --webhook`)."""
        assert self.config is not None
        # Updates fetched before this start were handled by the previous Application.
        pending = [u["update_id"] for u in self.sb.world.updates.pending]
        self._settled_upto = (min(pending) if pending else self.sb.world.updates.next_id) - 1
        self.app = build_application(self.config, clock=self.clock)
        self.inbox = await start_app(self.app)
        assert self.app.job_queue is not None
        # Jobs stay registered but fire only when a test runs them (the clock is fake).
        self.app.job_queue.scheduler.pause()
        if self.webhook:
            await self._start_webhook()
            return
        poller = Poller(self.app, self.inbox, timeout=2, allowed_updates=ALLOWED_UPDATES)
        self._stop_polling = asyncio.Event()
        self._polling = asyncio.create_task(poller.run(self._stop_polling))

    async def _start_webhook(self) -> None:
        """Listen on a free local port and tell the sandbox to post there."""
        assert self.app is not None and self.inbox is not None and self.config is not None
        hook = self.config.telegram.webhook
        server = WebhookServer(
            self.app, self.inbox, self.rt.monitor, path=hook.path, secret=hook.secret_token
        )
        port = await server.start("127.0.0.1", 0)
        self._webhook_server = server
        await server.register(f"http://127.0.0.1:{port}{hook.path}", ALLOWED_UPDATES)

    @property
    def webhook_url(self) -> str:
        """Where the sandbox posts updates (webhook mode)."""
        return str(self.sb.world.webhook.get("url") or "")

    async def stop_polling(self) -> None:
        """Stop fetching updates, or taking posted ones (the Application keeps running)."""
        if self._webhook_server is not None:
            await self._webhook_server.stop()
            self._webhook_server = None
        self._stop_polling.set()
        if self._polling is not None:
            await self._polling
            self._polling = None

    async def stop_bot(self) -> None:
        """Stop the Application (as a process would on shutdown)."""
        if self.app is None:
            return
        await self.stop_polling()
        await stop_app(self.app)
        self.app = None
        self.inbox = None

    async def restart(self) -> None:
        """Stop the bot and start a new Application on the same database."""
        await self.stop_bot()
        await self.start_bot()

    async def close(self) -> None:
        """Stop everything."""
        await self.stop_bot()
        await self.sb.stop()

    @property
    def rt(self) -> Runtime:
        """The running bot's runtime (database, config, texts)."""
        assert self.app is not None
        runtime: Runtime = self.app.bot_data[RUNTIME_KEY]
        return runtime

    @property
    def db(self) -> Database:
        """The running bot's database."""
        return self.rt.db

    # --- people and chats -------------------------------------------------------------

    def user(self, name: str, language_code: str = "zh") -> User:
        """A sandbox user, created on first use."""
        if name not in self.users:
            self.users[name] = self.sb.add_user(name, language_code=language_code)
        return self.users[name]

    async def staff(self, code: str, name: str | None = None, started: bool = True) -> User:
        """A Telegram user linked to the staff record `code` (through a real invitation)."""
        user = self.user(name or code)
        invitation = await create_invitation(
            self.db, self.clock, self.rt.config.invitations.valid_for, code, by=None
        )
        await accept_invitation(self.db, self.clock, invitation.token, user.id)
        if started:
            self.sb.start_bot(user)
        return user

    async def group(
        self, title: str, members: list[User], bind_code: str | None = None, by: User | None = None
    ) -> Chat:
        """A group with the bot in it, optionally bound with /bind by `by`."""
        chat = self.sb.add_group(title, members=members, bot_status="left")
        await self.settle(self.sb.add_bot_to_group(members[0], chat))
        if bind_code is not None:
            assert by is not None
            if by.id not in chat.members:
                await self.settle(self.sb.join(by, chat))
            await self.send(by, chat, f"/bind {bind_code}")
        return chat

    # --- acting and waiting -----------------------------------------------------------

    async def settle_all(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has handled every update injected so far (by any means)."""
        assert self.inbox is not None
        await self.sb.wait_updates_consumed(timeout)
        for update_id in range(self._settled_upto + 1, self.sb.world.updates.next_id):
            await self.inbox.wait_done(update_id, timeout)
        self._settled_upto = self.sb.world.updates.next_id - 1
        await self.delivered(timeout, look_again=False)

    async def settle(self, injected: Injected, timeout: float = 10.0) -> Injected:  # noqa: ASYNC109
        """Wait until the bot has fully handled every update of this action."""
        assert self.inbox is not None
        for update in injected.updates:
            await self.inbox.wait_done(update["update_id"], timeout)
        await self.delivered(timeout, look_again=False)
        return injected

    async def delivered(self, timeout: float = 10.0, look_again: bool = True) -> None:  # noqa: ASYNC109
        """Wait until the outbox has nothing due (notices in a retry wait are not due until
        the clock reaches their time: advance it, then call this again). `look_again`
        False: wait only when notices were added since the sender last found nothing due."""
        if self.app is None:
            return
        async with asyncio.timeout(timeout):
            await self.rt.outbox.drained(look_again)

    async def send(
        self, user: User, chat: Chat | User | int, text: str, reply_to: int | None = None
    ) -> Injected:
        """Send a text (a command, a reply) and wait until the bot has handled it."""
        chat_id = chat if isinstance(chat, int) else chat.id
        self.transcript.action(user.first_name, chat_id, text)
        return await self.settle(self.sb.send_text(user, chat, text, reply_to=reply_to))

    async def press(self, user: User, message: dict[str, Any], data: str) -> Injected:
        """Press a button and wait until the bot has handled it."""
        label = next((k for k, v in buttons(message).items() if v == data), data)
        self.transcript.action(user.first_name, message["chat"]["id"], f"presses [{label}]")
        return await self.settle(self.sb.press(user, message, data))

    def bot_posts(self, chat: Chat | User | int) -> list[dict[str, Any]]:
        """The bot's messages in a chat (service messages such as pins left out)."""
        return [
            m
            for m in self.sb.bot_messages(chat)
            if "text" in m or "caption" in m or "photo" in m or "document" in m
        ]

    def last(self, chat: Chat | User | int) -> dict[str, Any]:
        """The bot's last message in a chat."""
        posts = self.bot_posts(chat)
        assert posts, "the bot has sent nothing there"
        return posts[-1]

    def bot_texts(self, chat: Chat | User | int) -> list[str]:
        """Texts (or captions) of the bot's messages in a chat, oldest first."""
        return [m.get("text") or m.get("caption") or "" for m in self.bot_posts(chat)]

    def last_text(self, chat: Chat | User | int) -> str:
        """The text of the bot's last message in a chat."""
        texts = self.bot_texts(chat)
        return texts[-1] if texts else ""

    def answer(self, injected: Injected) -> dict[str, Any] | None:
        """The bot's answer to a button press (text, show_alert)."""
        assert injected.query_id is not None
        return self.sb.callback_answer(injected.query_id)

    async def run_job(self, name: str) -> None:
        """Run a scheduled job now (its registration is checked by finding it by name)."""
        assert self.app is not None and self.app.job_queue is not None
        jobs = self.app.job_queue.get_jobs_by_name(name)
        assert jobs, f"no job named {name}"
        await jobs[0].run(self.app)
        await self.delivered(look_again=False)


def buttons(message: dict[str, Any] | None) -> dict[str, str]:
    """The inline buttons of a message: text → callback_data."""
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b.get("callback_data", b.get("url", "")) for row in rows for b in row}
