"""What every handler and job needs, built once at start-up."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Config
from bot.inbox import Inbox
from bot.monitor import Monitor
from bot.outbox import Sender
from bot.storage.db import Database
from bot.texts import Lang, Texts
from models.limits import PersonLimits
from models.permissions import Actor
from services.assessment import Assessment
from services.cases import CaseKind, Lapsed, Moved
from services.digest import Digest
from services.ledger import Entry
from services.town_files import TownFiles

R = TypeVar("R")

# One feature's part of /tasks, after the open reports (households due, pension visits, …).
TaskSection = Callable[[Update, "GridContext", Actor], Awaitable[None]]


@dataclass(frozen=True)
class Features:
    """What features offer each other, collected in one place (handlers.features)."""

    # The parts of /tasks other features add, in this order.
    task_sections: tuple[TaskSection, ...] = ()
    # Deep-link payloads that open a step-by-step flow; /start leaves them to that flow.
    flow_payloads: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SweptKind(Generic[R]):
    """One kind of case the deadline sweep moves, and how its moves are told."""

    kind: CaseKind[R]
    noun: str  # in the log: report, home visit
    announce: Callable[[GridContext, Moved[R]], Awaitable[None]]
    # A case past its second due time that could only be flagged (a report's supervision).
    lapsed: Callable[[GridContext, Lapsed[R]], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Presenters:
    """How scheduled jobs speak to people. The Telegram side lives in handlers; the
    composition root wires it here (handlers.presenters), so no job imports a handler."""

    # The kinds of case the deadline sweep moves, in this order.
    swept: tuple[SweptKind[Any], ...]
    # The catalog in the language this person reads in private.
    language_for: Callable[[GridContext, int], Awaitable[Lang]]
    # One reminder send's text and buttons.
    reminder: Callable[[Runtime, Entry], tuple[str, InlineKeyboardMarkup | None]]
    # A digest's chart (PNG), and sending a digest (with its chart when asked).
    digest_chart: Callable[[Runtime, Lang, Digest], Awaitable[bytes]]
    send_digest: Callable[
        [GridContext, int, Lang, Digest, bool, bytes | None], Awaitable[list[Message]]
    ]
    send_assessment: Callable[[GridContext, int, Lang, Assessment], Awaitable[None]]
    # Carry on delivering queued or interrupted announcements.
    resume_announcements: Callable[[GridApp], Awaitable[None]]
    # End the step-by-step flows left idle past the timeout; how many.
    end_idle_flows: Callable[[GridContext], Awaitable[int]]


@dataclass
class AnnouncementRun:
    """The one task delivering announcements, and whether one was queued since it looked."""

    task: asyncio.Task[None] | None = None
    wake: bool = False


@dataclass
class Runtime:
    """The configuration, database, texts and clock of a running bot."""

    config: Config
    db: Database
    texts: Texts
    clock: Clock
    inbox: Inbox
    limits: PersonLimits
    # The town's files (questionnaire, handbook, pension guide) as checked at start-up.
    files: TownFiles
    # How scheduled jobs speak to people (the Telegram side, wired in the composition root).
    presenters: Presenters
    # Delivers the notices that changes enqueue, and every scheduled send.
    outbox: Sender
    bot_username: str = ""
    features: Features = field(default_factory=Features)
    announcements: AnnouncementRun = field(default_factory=AnnouncementRun)
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
