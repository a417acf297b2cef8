"""The sender: one task that delivers the outbox, and the one send-with-retry for everything.

Rows are written by the change that causes them (see `bot/storage/outbox.py`); the sender is
woken when rows are added and looks again every `[outbox] check_every` for retries. Each
failure is classified (`fault_of`) and decided by the pure policy in `models/outbox.py`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot import api_calls
from bot.attempts import Attempt, fault_of, snake_case
from bot.clock import Clock
from bot.config import OutboxSection
from bot.storage import cases
from bot.storage import outbox as store
from bot.storage.db import Database
from models.cases import Kind
from models.outbox import Decision, Pending, Policy, Recipient, Verdict, decide, expired

log = logging.getLogger(__name__)

# Rows delivered at once (different chats; one chat's rows go in order).
PARALLEL = 8
# Delivered rows are pruned at most this often.
PRUNE_EVERY = timedelta(hours=1)


def policy_of(config: OutboxSection) -> Policy:
    """The retry policy the configuration describes."""
    return Policy(
        max_attempts=config.max_attempts,
        give_up_after=config.give_up_after,
        first_delay=config.first_retry,
        max_delay=config.max_retry,
    )


class Sender:
    """Delivers the outbox in the background; `send` is the retrying call for direct sends."""

    def __init__(
        self, bot: ExtBot[None], db: Database, clock: Clock, config: OutboxSection
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.config = config
        self.policy = policy_of(config)
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._wakes = 0
        self._idle_upto = -1
        self._idle = asyncio.Condition()
        self._pruned_at: datetime | None = None

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery task (pending rows of an earlier run are picked up at once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop the delivery task; a row in flight stays pending and goes out after a restart."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        async with self._idle:
            self._idle.notify_all()

    @property
    def running(self) -> bool:
        """Whether the delivery task runs."""
        return self._task is not None and not self._task.done()

    def wake(self) -> int:
        """Look for due rows now (after new rows were committed); returns the wake's number."""
        self._wakes += 1
        self._wake.set()
        return self._wakes

    async def drained(self, look_again: bool = True) -> None:
        """Wait until a pass that began after this call found nothing due (`look_again`
        False: only when rows were added since the last such pass)."""
        if not look_again and self._idle_upto >= self._wakes:
            return
        target = self.wake()
        async with self._idle:
            await self._idle.wait_for(lambda: self._idle_upto >= target or not self.running)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            upto = self._wakes
            try:
                busy = await self.deliver_due()
            except Exception:
                log.exception("the outbox sender failed a pass")
                busy = False
            if busy:
                continue
            async with self._idle:
                self._idle_upto = upto
                self._idle.notify_all()
            try:
                await asyncio.wait_for(self._wake.wait(), self.config.check_every.total_seconds())
            except TimeoutError:
                pass

    # --- delivering ---------------------------------------------------------------------

    async def deliver_due(self) -> bool:
        """Deliver every row due now (one pass); returns whether there were any."""
        now = self.clock.now()
        async with self.db.reading(quick=True):  # indexed, at most a batch of rows
            rows = await store.due(self.db, now)
        if not rows:
            await self._prune(now)
            return False
        gate = asyncio.Semaphore(PARALLEL)

        async def one(row: Pending) -> None:
            async with gate:
                await self._deliver(row)

        await asyncio.gather(*(one(row) for row in rows))
        return True

    async def _deliver(self, row: Pending) -> None:
        notice = row.notice
        if expired(self.policy, row.created_at, self.clock.now()):
            async with self.db.transaction():
                await store.failed(self.db, row.id, "expired unsent", self.clock.now(), False)
            return
        attempt = await self.call(notice.method, notice.chat_id, notice.params, plain=True)
        now = self.clock.now()
        if attempt.ok:
            await store.sent(
                self.db, row.id, attempt.message_id, now, _copy(row, attempt.message_id, now)
            )
            return
        async with self.db.transaction():
            assert attempt.fault is not None
            decision = decide(
                self.policy,
                attempt.fault,
                row.attempts + 1,
                row.created_at,
                now,
                attempt.retry_after,
                attempt.detail,
            )
            await self._apply(row, attempt, decision, now)
        if decision.verdict is not Verdict.RETRY:
            self.wake()

    async def _apply(
        self, row: Pending, attempt: Attempt, decision: Decision, now: datetime
    ) -> None:
        if decision.verdict is Verdict.RETRY:
            assert decision.at is not None
            await store.retry(self.db, row.id, decision.at, decision.reason)
            log.info("notice %s: %s; next try at %s", row.id, decision.reason, decision.at)
        elif decision.verdict is Verdict.REDIRECT and attempt.new_chat_id is not None:
            await store.redirect(self.db, row.id, attempt.new_chat_id, decision.reason)
        else:
            await store.failed(self.db, row.id, decision.reason, now, True)
            log.warning("notice %s given up: %s", row.id, decision.reason)
            if decision.fallback:
                copy = _copy(row, None, now)
                if copy is not None:  # the staff member could not be reached
                    await cases.add_copy(self.db, copy)
                if row.notice.fallback is not None:
                    await store.enqueue(self.db, row.notice.fallback, now)

    async def _prune(self, now: datetime) -> None:
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        async with self.db.transaction():
            gone = await store.prune(self.db, now - self.config.keep_sent_for)
        if gone:
            log.info("pruned %d delivered notices", gone)

    # --- one call ----------------------------------------------------------------------

    async def call(
        self, method: str, chat_id: int, params: dict[str, Any], plain: bool = False
    ) -> Attempt:
        """Make one Bot API call (method name as in the Bot API), never raising. `plain`: the
        result may stay JSON (a dict), sent without PTB's objects where `api_calls` can."""
        timeout = self.config.request_timeout.total_seconds()
        timeouts = {
            "read_timeout": timeout,
            "write_timeout": timeout,
            "connect_timeout": timeout,
            "pool_timeout": timeout,
        }
        try:
            if plain and api_calls.plain(method, params):
                result = await api_calls.call(self.bot, method, chat_id, params, **timeouts)
            else:
                result = await self._ptb_call(method, chat_id, params, timeouts)
        except BadRequest as exc:
            if "not modified" in str(exc):
                return Attempt(result=True)  # an edit to what the message shows already
            return fault_of(exc)
        except TelegramError as exc:
            return fault_of(exc)
        return Attempt(result=result)

    async def _ptb_call(
        self, method: str, chat_id: int, params: dict[str, Any], timeouts: dict[str, float]
    ) -> Any:
        kwargs = {k: v for k, v in params.items() if v is not None}
        markup = kwargs.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(markup, self.bot)
        return await getattr(self.bot, snake_case(method))(chat_id=chat_id, **kwargs, **timeouts)

    async def send(
        self, method: str, chat_id: int, params: dict[str, Any], attempts: int = 3
    ) -> Attempt:
        """Call now, retrying passing faults in place (at most `attempts` calls, waiting as
        the policy says), for senders that keep their own ledger (reminders, digests,
        announcements). The last attempt is returned: `.ok`, else `.gave_up` when the
        policy says never to retry it (403, 400, too many tries), and `.moved_to` when
        the group became a supergroup on the way."""
        started = self.clock.now()
        moved_to: int | None = None
        attempt = Attempt()
        for number in range(1, attempts + 1):
            attempt = replace(await self.call(method, chat_id, params), moved_to=moved_to)
            if attempt.fault is None:
                return attempt
            now = self.clock.now()
            decision = decide(
                self.policy,
                attempt.fault,
                number,
                started,
                now,
                attempt.retry_after,
                attempt.detail,
            )
            if decision.verdict is Verdict.GIVE_UP:
                return replace(attempt, gave_up=True, detail=decision.reason)
            if number == attempts:
                return attempt
            if decision.verdict is Verdict.REDIRECT and attempt.new_chat_id is not None:
                chat_id = moved_to = attempt.new_chat_id
                continue
            assert decision.at is not None
            await asyncio.sleep(min(max((decision.at - now).total_seconds(), 0.0), MAX_WAIT))
        return attempt

    async def send_or_raise(self, method: str, chat_id: int, params: dict[str, Any]) -> Any:
        """`send`, returning the result, or raising the last error when it did not go out."""
        attempt = await self.send(method, chat_id, params)
        if attempt.error is not None:
            raise attempt.error
        return attempt.result


# A direct send waits at most this long between two tries (its caller is waiting).
MAX_WAIT = 30.0
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


def _copy(row: Pending, message_id: int | None, now: datetime) -> cases.Copy | None:
    """A staff member's copy of a case this notice makes (or could not make), to be
    remembered (its buttons are refreshed later); None for any other notice."""
    notice = row.notice
    if notice.recipient is not Recipient.STAFF or notice.staff_id is None:
        return None
    prefix, _, number = notice.subject.partition(":")
    kind = {"report": Kind.REPORT, "pension": Kind.HOME_VISIT}.get(prefix)
    if kind is None or not number.isdigit() or notice.method not in SENDS:
        return None
    return cases.Copy(kind, int(number), notice.staff_id, notice.chat_id, message_id, now)
