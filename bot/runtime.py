"""What every handler and job needs, built once at start-up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Config
from bot.inbox import Inbox
from bot.monitor import Monitor
from bot.outbox import Sender
from bot.storage.db import Database
from bot.texts import Lang, Texts
from models.limits import PersonLimits


@dataclass
class Runtime:
    """The configuration, database, texts and clock of a running bot."""

    config: Config
    db: Database
    texts: Texts
    clock: Clock
    inbox: Inbox
    limits: PersonLimits
    bot_username: str = ""
    outbox: Sender | None = None  # delivers the notices changes enqueue
    extras: dict[str, Any] = field(default_factory=dict)
    # Health checks and metrics of this Application (/healthz, /metrics).
    monitor: Monitor = field(default_factory=Monitor)
    # This run of the bot, as the send ledger names who claimed a row (a row another run
    # left half-sent is never sent again).
    process: str = field(default_factory=lambda: uuid.uuid4().hex)

    def lang(self, code: str | None) -> Lang:
        """Texts in one language (the configured one when `code` is None)."""
        return self.texts.lang(code or self.config.bot.language)


RUNTIME_KEY = "runtime"


class GridContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context, with the runtime as a typed attribute."""

    # What a private text answers, decided once per update (handlers.private_text); one
    # context serves every handler group of an update.
    routed: tuple[int, str] | None = None

    @property
    def rt(self) -> Runtime:
        """The bot's runtime."""
        runtime: Runtime = self.application.bot_data[RUNTIME_KEY]
        return runtime


GridApp = Application[
    ExtBot[None], GridContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
