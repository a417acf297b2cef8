"""What the running bot reports to its Monitor: updates, errors, jobs, Bot API errors, checks."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import TypeHandler

from bot.api_transport import AiohttpRequest
from bot.backups import newest_backup
from bot.clock import to_ts
from bot.monitor import JobTimer, Monitor
from bot.runtime import RUNTIME_KEY, GridApp, GridContext, Runtime
from bot.storage import inbox as inbox_store
from bot.storage import outbox as outbox_store
from bot.storage.metrics import notices_by_status, reports_by_status, run_progress, run_seconds

# Before every feature's handlers, so every update is counted once.
COUNTING_GROUP = -1000
# A running scheduler whose job is this late is stuck.
JOB_LATE_AFTER = timedelta(minutes=10)
# An update unfinished, or a notice past its time, for this long means something is stuck.
STUCK_AFTER = timedelta(minutes=5)


class CountingRequest(AiohttpRequest):
    """The bot's HTTP transport, counting every Bot API error by status into the monitor."""

    def __init__(self, monitor: Monitor, polling: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._monitor = monitor
        self._polling = polling

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send one request; count a non-2xx answer, a timeout or a network failure."""
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except TimedOut:
            self._monitor.count_api_error("timeout")
            raise
        except NetworkError:
            self._monitor.count_api_error("network")
            raise
        if not 200 <= code <= 299:
            self._monitor.count_api_error(str(code))
        elif self._polling:
            self._monitor.note_poll()
        return code, payload


def update_kind(update: Update) -> str:
    """The kind of an update: message, callback_query, my_chat_member …"""
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def watch(app: GridApp, monitor: Monitor, poll_stale_after: timedelta) -> None:
    """Count what the Application does and register its own health checks and gauges.

    The update loop counts as stuck when polling has not had a successful getUpdates for
    `poll_stale_after` (Telegram unreachable, the token revoked, another poller in the way);
    while a webhook feeds the inbox, it asks only that the webhook server runs.
    """

    watched_since = time.monotonic()

    async def count_update(update: Update, context: GridContext) -> None:
        monitor.count_update(update_kind(update))

    async def count_error(update: object, context: GridContext) -> None:
        monitor.count_error("update" if update is not None else "job")

    app.add_handler(TypeHandler(Update, count_update), group=COUNTING_GROUP)
    app.add_error_handler(count_error)
    queue = app.job_queue
    if queue is not None:
        from apscheduler.events import (
            EVENT_JOB_ADDED,
            EVENT_JOB_ERROR,
            EVENT_JOB_EXECUTED,
            EVENT_JOB_SUBMITTED,
        )

        queue.scheduler.add_listener(
            JobTimer(monitor, queue.scheduler),
            EVENT_JOB_ADDED | EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR,
        )

    def runtime() -> Runtime | None:
        found: Runtime | None = app.bot_data.get(RUNTIME_KEY)
        return found

    async def database() -> str | None:
        rt = runtime()
        if rt is None:
            return "not open"
        return None if await rt.db.scalar("SELECT 1") == 1 else "no answer"

    async def updates() -> str | None:
        if not app.running:
            return "application stopped"
        rt = runtime()
        if rt is None or rt.inbox.fed_by is None:
            return "not polling"
        if rt.inbox.fed_by == "webhook":
            # Telegram posts when there is something to post: silence is no symptom.
            return None
        idle = time.monotonic() - (monitor.last_poll or watched_since)
        if idle > poll_stale_after.total_seconds():
            return f"no successful getUpdates for {idle:.0f}s"
        return None

    async def jobs() -> str | None:
        if queue is None:
            return None
        from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED

        scheduler = queue.scheduler
        if scheduler.state == STATE_STOPPED:
            return "scheduler stopped"
        if scheduler.state != STATE_RUNNING:
            return None  # paused on purpose
        now = datetime.now(UTC)
        late = [
            job.name
            for job in scheduler.get_jobs()
            if job.next_run_time is not None and now - job.next_run_time > JOB_LATE_AFTER
        ]
        return f"late: {', '.join(sorted(late))}" if late else None

    async def reports() -> dict[tuple[str, ...], float]:
        rt = runtime()
        return await reports_by_status(rt.db) if rt is not None else {}

    async def notices() -> dict[tuple[str, ...], float]:
        rt = runtime()
        return await notices_by_status(rt.db) if rt is not None else {}

    async def runs() -> dict[tuple[str, ...], float]:
        rt = runtime()
        return await run_progress(rt.db, to_ts(rt.clock.now())) if rt is not None else {}

    async def runs_took() -> dict[tuple[str, ...], float]:
        rt = runtime()
        return await run_seconds(rt.db, to_ts(rt.clock.now())) if rt is not None else {}

    async def last_backup() -> dict[tuple[str, ...], float]:
        rt = runtime()
        if rt is None:
            return {}
        newest = await asyncio.to_thread(newest_backup, rt.config.backup_folder())
        return {(): newest.timestamp()} if newest is not None else {}

    monitor.add_check("database", database)
    monitor.add_check("updates", updates)

    async def inbox() -> str | None:
        rt = runtime()
        if rt is None:
            return "not open"
        waiting, oldest = await inbox_store.counts(rt.db)
        age = to_ts(rt.clock.now()) - oldest if oldest is not None else 0
        if age > STUCK_AFTER.total_seconds():
            return f"{waiting} update(s) unfinished, the oldest for {age}s"
        return None

    async def outbox() -> str | None:
        rt = runtime()
        if rt is None:
            return "not open"
        due = await outbox_store.oldest_overdue(rt.db)
        late = to_ts(rt.clock.now()) - due if due is not None else 0
        if late > STUCK_AFTER.total_seconds():
            return f"a notice waits {late}s past its time"
        return None

    monitor.add_check("jobs", jobs)
    monitor.add_check("inbox", inbox)
    monitor.add_check("outbox", outbox)
    monitor.add_gauge("gridbot_reports", "Reports by status", ("status",), reports)
    monitor.add_gauge(
        "gridbot_notices",
        "Notices recorded in each send ledger, by status (pending, sent, failed …)",
        ("ledger", "status"),
        notices,
    )
    monitor.add_gauge(
        "gridbot_send_run",
        "Reminder runs and announcements of the last day: messages sent, failed and left",
        ("kind", "period", "state"),
        runs,
    )
    monitor.add_gauge(
        "gridbot_send_run_seconds",
        "How long each of those runs took, or has taken so far",
        ("kind", "period"),
        runs_took,
    )
    monitor.add_gauge(
        "gridbot_last_backup_timestamp_seconds",
        "When the newest scheduled backup was made (Unix time)",
        (),
        last_backup,
    )
