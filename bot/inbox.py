"""The durable inbox: no update is confirmed to Telegram before it is stored.

PTB's stock updater confirms a fetched batch (the next getUpdates offset) as soon as it has
queued it, so whatever was queued but not yet handled is gone after a crash. Here a fetched
batch is first written to SQLite in one transaction, only then is the next offset asked for,
and updates are handled from the store: each is marked done when its handlers have finished.
On start, unfinished updates are handled first, in their order per chat.

Updates of one chat run one at a time and in order; updates of different chats run
concurrently, at most `max_concurrent` at once. A chat's backlog waits in its own queue and
holds no slot, so one busy group never stalls the town.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from bot import api_calls
from bot.clock import Clock, to_ts
from bot.storage import inbox as store
from bot.storage.db import Database
from models.redaction import without_id_numbers

log = logging.getLogger(__name__)


def chat_key(update: Update) -> int:
    """The chat whose updates run in order with this one (the user's, without a chat)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


@dataclass
class _Queue:
    """One chat's waiting updates and whether a worker drains them."""

    waiting: deque[Update] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None


class Inbox:
    """Stores updates, hands them to the Application per chat, and records them done."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        db: Database,
        clock: Clock,
        max_concurrent: int = 32,
        keep_done: int = 10_000,
        updates_request: BaseRequest | None = None,
    ) -> None:
        self._app = app
        # The transport getUpdates goes over (the Poller's); PTB's main one when not given.
        self.updates_request = updates_request
        self._db = db
        self._clock = clock
        self._slots = asyncio.Semaphore(max_concurrent)
        self._queues: dict[int, _Queue] = {}
        self._done_recent: dict[int, None] = {}
        self._keep_done = keep_done
        self._to_mark: list[int] = []
        self._marking: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._in_flight = 0
        # Updates handled again after a restart (their first handling may have stopped
        # part-way): handlers may finish what the first one left undone.
        self._again: set[int] = set()
        # The update loop feeding this inbox now ("polling" or "webhook"), None when none.
        self.fed_by: str | None = None

    # --- taking updates in ------------------------------------------------------------

    async def accept(self, received: Sequence[tuple[Update, Mapping[str, Any]]]) -> list[Update]:
        """Store a fetched batch (each update with the JSON it came as) in one transaction,
        then queue the new ones for handling.

        Returns the updates that were new (one delivered again is neither stored nor handled
        twice). Only after this returns may the batch be confirmed to Telegram.
        """
        if not received:
            return []
        rows = [
            store.StoredUpdate(u.update_id, chat_key(u), _stored_form(raw)) for u, raw in received
        ]
        fresh, handled = await store.store(self._db, rows, to_ts(self._clock.now()))
        for update_id in handled:  # by an earlier run, before Telegram heard it arrived
            self._remember_done(update_id)
        new = [u for u, _ in received if u.update_id in fresh]
        for update in new:
            self._enqueue(update)
        return new

    async def recover(self) -> int:
        """Queue every stored update not handled to the end (after a crash), oldest first."""
        async with self._db.reading():
            pending = await store.unfinished(self._db)
        for row in pending:
            try:
                update = Update.de_json(json.loads(row.payload), self._app.bot)
            except (ValueError, TypeError, KeyError) as exc:
                log.error("stored update %s cannot be read again: %s", row.update_id, exc)
                self._finished(row.update_id)
                continue
            self._again.add(update.update_id)
            self._enqueue(update)
        if pending:
            log.info("handling %d update(s) left unfinished before the restart", len(pending))
        return len(pending)

    def _enqueue(self, update: Update) -> None:
        key = chat_key(update)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue()
        queue.waiting.append(update)
        self._in_flight += 1
        if queue.task is None:
            queue.task = asyncio.create_task(self._drain(key, queue), name=f"inbox:chat:{key}")

    async def _drain(self, key: int, queue: _Queue) -> None:
        """Handle one chat's updates in order, each holding a slot only while it runs."""
        try:
            while queue.waiting:
                update = queue.waiting[0]
                try:
                    async with self._slots:
                        await self._app.process_update(update)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # process_update hands handler errors to the error handler; this is PTB
                    # itself failing. The update is not retried forever.
                    log.exception("update %s could not be processed", update.update_id)
                queue.waiting.popleft()
                self._finished(update.update_id)
        finally:
            queue.task = None
            if not queue.waiting:
                self._queues.pop(key, None)

    # --- recording updates done -------------------------------------------------------

    def _remember_done(self, update_id: int) -> None:
        self._done_recent[update_id] = None
        if len(self._done_recent) > self._keep_done:
            self._done_recent.pop(next(iter(self._done_recent)))
        self._changed.set()

    def handled_again(self, update_id: int) -> bool:
        """Whether this update is handled again after a restart (its first handling may have
        stopped part-way), rather than for the first time."""
        return update_id in self._again

    def _finished(self, update_id: int) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._again.discard(update_id)
        self._remember_done(update_id)
        self._to_mark.append(update_id)
        if self._marking is None:
            self._marking = asyncio.create_task(self._mark(), name="inbox:mark-done")
        self._changed.set()

    async def _mark(self) -> None:
        """Write done marks; marks gathered while one write runs go in the next one."""
        try:
            while self._to_mark:
                batch, self._to_mark = self._to_mark, []
                try:
                    await store.mark_done(self._db, batch, to_ts(self._clock.now()))
                except Exception:
                    # The updates are handled again after a restart: harmless, not lost.
                    log.exception("could not mark %d update(s) done", len(batch))
        finally:
            self._marking = None
            self._changed.set()

    # --- observing and stopping -------------------------------------------------------

    def is_done(self, update_id: int) -> bool:
        """Whether the update with this id has been handled (since this start)."""
        return update_id in self._done_recent

    async def wait_done(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the update with this id has been handled."""
        async with asyncio.timeout(timeout):
            while update_id not in self._done_recent:
                self._changed.clear()
                await self._changed.wait()

    async def drain(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update is handled and marked done (at shutdown)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._in_flight or self._marking is not None or self._to_mark:
                    self._changed.clear()
                    await self._changed.wait()
        if self._in_flight:
            log.warning(
                "stopping with %d update(s) unfinished; they run after restart", self._in_flight
            )
        for queue in list(self._queues.values()):
            if queue.task is not None:
                queue.task.cancel()
        if self._marking is not None:
            await asyncio.gather(self._marking, return_exceptions=True)


def _stored_form(raw: Mapping[str, Any]) -> str:
    """The update's JSON as received, as stored: a whole ID number typed by mistake is never
    kept. (The JSON received, not PTB's `to_dict()` of the update, which costs more than
    anything else in storing it.)"""
    return json.dumps(without_id_numbers(raw), ensure_ascii=False)


class Poller:
    """Long polling into the inbox: fetch, store, and only then confirm (next offset)."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        inbox: Inbox,
        *,
        timeout: int,
        allowed_updates: Sequence[str],
    ) -> None:
        self._app = app
        self._inbox = inbox
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set. A fetched batch is stored before it is confirmed."""
        self._inbox.fed_by = "polling"
        try:
            await self._poll(stop)
        finally:
            self._inbox.fed_by = None

    async def _poll(self, stop: asyncio.Event) -> None:
        delay = 1.0
        while not stop.is_set():
            fetch = asyncio.ensure_future(self._fetch())
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():
                # Stopping: whatever this call would return is not confirmed, so Telegram
                # delivers it again to the next start.
                fetch.cancel()
                with contextlib.suppress(BaseException):
                    await fetch
                return
            try:
                fetched: list[dict[str, Any]] = fetch.result()
            except InvalidToken:
                raise
            except RetryAfter as exc:
                wait = exc.retry_after
                await _pause(stop, wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
                continue
            except Conflict as exc:
                if "webhook" in str(exc).lower():
                    log.error(
                        "a webhook is set, so polling gets no updates: run `gridbot run "
                        "--webhook`, or remove the webhook (see `gridbot doctor`); retrying"
                    )
                else:
                    log.warning("another getUpdates is active: %s", exc)
                await _pause(stop, delay)
                delay = min(delay * 2, 30.0)
                continue
            except (NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, delay)
                await _pause(stop, delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            if not fetched:
                continue
            bot = self._app.bot
            received = [(Update.de_json(raw, bot), raw) for raw in fetched]
            try:
                await self._inbox.accept(received)
            except Exception:
                # Not stored: not confirmed either; the same batch comes again.
                log.exception("could not store %d update(s); fetching them again", len(received))
                await _pause(stop, delay)
                delay = min(delay * 2, 30.0)
                continue
            self._offset = received[-1][0].update_id + 1

    async def _fetch(self) -> list[dict[str, Any]]:
        """One getUpdates, as PTB's `get_updates` makes it (same transport, errors and read
        timeout), answered as the JSON received: the inbox stores that, and only the Update
        objects handlers read are built from it."""
        bot = self._app.bot
        params: dict[str, Any] = {"timeout": self._timeout}
        if self._offset is not None:
            params["offset"] = self._offset
        params["allowed_updates"] = self._allowed
        request = self._inbox.updates_request or bot.request
        result: list[dict[str, Any]] = await api_calls.post(
            request,
            bot.base_url,
            "getUpdates",
            params,
            # PTB adds the long poll's own timeout to the read timeout it is given.
            read_timeout=2 * self._timeout + 10,
        )
        return result


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
