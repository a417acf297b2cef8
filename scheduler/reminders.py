"""Reminder jobs: one per kind on its cron schedule, one when quiet hours end, one catch-up
shortly after start-up. Each asks the service what is due now and delivers it in batches
through the bot (and so through PTB's rate limiter)."""

from __future__ import annotations

import asyncio
import logging
from datetime import time as dt_time

from bot.config import Config
from bot.crontab import schedule_trigger
from bot.runtime import GridApp, GridContext
from models.outbox import Fault
from models.reminders import ReminderKind
from scheduler.jobs import forget
from services import reminders
from services.ledger import Entry, Outcome

log = logging.getLogger(__name__)

JOB_PREFIX = "reminders:"
MORNING_JOB = "reminders:morning"
CATCH_UP_JOB = "reminders:catch-up"
ALL_KINDS = list(ReminderKind)
# A send that failed for a passing reason (after the sender's own tries) is taken up again
# by this many runs in all.
MAX_ATTEMPTS = 3


def job_name(kind: ReminderKind) -> str:
    """The job of one reminder kind."""
    return f"{JOB_PREFIX}{kind.value}"


async def run_reminders(context: GridContext) -> int:
    """Plan the runs due now and deliver every pending send; returns how many were sent."""
    rt = context.rt
    job = context.job
    data = job.data if job is not None and isinstance(job.data, dict) else {}
    kinds: list[ReminderKind] = data.get("kinds", ALL_KINDS)
    process = rt.process
    if data.get("catch_up"):
        unknown = await reminders.recover(rt.db, process)
        if unknown:
            log.warning("%d reminder sends were interrupted by a stop; not resent", unknown)
    for kind, occurrence, count in await reminders.plan_due(rt.db, rt.clock, rt.config, kinds):
        log.info("reminder run %s %s: %d recipients", kind.value, occurrence, count)

    # Each of a few senders takes the next message in the fair order (each town's next
    # recipient in turn), sends it and records how it went: a run of 32 000 never sits in
    # memory, a kill leaves at most the messages in flight 'unknown', and a stop (SIGTERM)
    # lets those finish and leaves the rest pending for the catch-up after the restart.
    async def sender() -> int:
        sent = 0
        while context.application.running and (
            claimed := await reminders.claim(rt.db, rt.clock, rt.config, kinds, process, 1)
        ):
            outcome = await _deliver(context, claimed[0])
            await reminders.finish(rt.db, rt.clock, [outcome])
            sent += outcome.status == "sent"
        return sent

    senders = rt.config.reminders.parallel_sends
    return sum(await asyncio.gather(*(sender() for _ in range(senders))))


async def _deliver(context: GridContext, send: Entry) -> Outcome:
    """Send one reminder through the sender's retrying call; how it went."""
    assert send.chat_id is not None
    text, markup = context.rt.presenters.reminder(context.rt, send)
    attempt = await context.rt.outbox.send(
        "sendMessage", send.chat_id, {"text": text, "reply_markup": markup}
    )
    if attempt.ok:
        return Outcome(send.id, "sent", message_id=attempt.message_id)
    if attempt.fault is Fault.FORBIDDEN:
        # Blocked, or never opened the bot: retrying would not help; the digest shows it.
        return Outcome(send.id, "failed", "forbidden")
    if attempt.gave_up or send.attempts >= MAX_ATTEMPTS:
        return Outcome(send.id, "failed", attempt.detail[:200])
    return Outcome(send.id, "pending", attempt.detail[:200])


def register(app: GridApp, config: Config) -> None:
    """A cron job per kind, a morning job at the end of quiet hours, a catch-up at start-up."""
    queue = app.job_queue
    assert queue is not None
    forget(app, *(job_name(k) for k in ALL_KINDS), MORNING_JOB, CATCH_UP_JOB)
    tz = config.tz
    for kind in ALL_KINDS:
        exprs = getattr(config.reminders, kind.value)
        if not exprs:
            continue
        queue.run_custom(
            run_reminders,
            job_kwargs={
                "trigger": schedule_trigger(exprs, tz),
                "misfire_grace_time": None,
                "coalesce": True,
            },
            name=job_name(kind),
            data={"kinds": [kind]},
        )
    end = config.reminders.quiet_end
    queue.run_daily(
        run_reminders,
        time=dt_time(end.hour, end.minute, tzinfo=tz),
        name=MORNING_JOB,
        data={"kinds": ALL_KINDS},
    )
    queue.run_once(
        run_reminders,
        when=config.reminders.catch_up_after,
        name=CATCH_UP_JOB,
        data={"kinds": ALL_KINDS, "catch_up": True},
    )
