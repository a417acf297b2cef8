"""Scheduled cadre work: daily and weekly digests, the monthly assessment, and resuming
announcements that a restart interrupted. Deterministic job names; a run that was missed
while the bot was down is caught up shortly after start-up (each send still happens once)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram.error import TelegramError

from bot.crontab import cron_trigger
from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from scheduler.jobs import forget
from services import assessment as assessments
from services import digest as service
from services import ledger
from services.digest import Digest, ScheduledRun
from services.ledger import Entry

log = logging.getLogger(__name__)

DAILY_JOB = "digest-daily"
WEEKLY_JOB = "digest-weekly"
ASSESSMENT_JOB = "assessment-monthly"
RESUME_JOB = "announcements-resume"
CATCH_UP_JOB = "cadre-catch-up"
CATCH_UP_AFTER = 15  # seconds after start-up

Content = TypeVar("Content")


async def deliver_run(
    context: GridContext,
    run: ScheduledRun | None,
    content: Callable[[int], Awaitable[Content | None]],
    send: Callable[[Lang, Entry, Content], Awaitable[int | None]],
) -> int:
    """Send each claimed entry of a scheduled run its unit's content (built once per unit)
    and record how it went (`send` returns the last message's id); returns how many went
    out."""
    if run is None:
        return 0
    rt = context.rt
    built: dict[int, Content | None] = {}
    sent = 0
    for entry in run.entries:
        assert entry.unit_id is not None and entry.chat_id is not None
        if entry.unit_id not in built:
            built[entry.unit_id] = await content(entry.unit_id)
        found = built[entry.unit_id]
        if found is None:
            await ledger.mark_failed(rt.db, rt.clock, entry.id, "no_unit")
            continue
        t = await rt.presenters.language_for(context, entry.chat_id)
        try:
            message_id = await send(t, entry, found)
        except TelegramError as exc:
            log.info("%s not delivered to %s: %s", run.kind, entry.payload.get("code"), exc)
            await ledger.mark_failed(rt.db, rt.clock, entry.id, str(exc))
            continue
        await ledger.mark_sent(rt.db, rt.clock, entry.id, message_id)
        sent += 1
    return sent


async def send_scheduled_digests(context: GridContext, kind: str) -> int:
    """Send this occurrence's digest to every recipient not yet sent it; returns how many."""
    rt = context.rt
    show = rt.presenters
    run = await service.claim_scheduled(rt.db, rt.clock, rt.config, kind, rt.process)
    charts: dict[tuple[int, str], bytes] = {}
    weekly = kind == "weekly" and rt.config.cadre.digest.chart

    async def content(unit_id: int) -> Digest | None:
        assert run is not None
        return await service.digest_of_unit(rt.db, rt.clock, rt.config, unit_id, run.span)

    async def send(t: Lang, entry: Entry, digest: Digest) -> int | None:
        assert entry.chat_id is not None and entry.unit_id is not None
        chart = None
        if weekly:
            key = (entry.unit_id, t.code)
            if key not in charts:
                charts[key] = await show.digest_chart(rt, t, digest)
            chart = charts[key]
        sent = await show.send_digest(context, entry.chat_id, t, digest, weekly, chart)
        return sent[-1].message_id if sent else None

    sent = await deliver_run(context, run, content, send)
    if run is not None:
        log.info("%s digest for %s sent to %d people", kind, run.span.key, sent)
    return sent


async def send_scheduled_assessments(context: GridContext) -> int:
    """The monthly run: last month's assessment to each L1/L2 cadre for their unit, once."""
    rt = context.rt
    run = await assessments.claim_scheduled(rt.db, rt.clock, rt.config, rt.process)

    async def content(unit_id: int) -> assessments.Assessment | None:
        assert run is not None
        return await assessments.assessment_of_unit(rt.db, rt.clock, rt.config, unit_id, run.span)

    async def send(t: Lang, entry: Entry, found: assessments.Assessment) -> int | None:
        assert entry.chat_id is not None
        await rt.presenters.send_assessment(context, entry.chat_id, t, found)
        return None

    return await deliver_run(context, run, content, send)


async def daily(context: GridContext) -> None:
    """The daily digest job."""
    await send_scheduled_digests(context, "daily")


async def weekly(context: GridContext) -> None:
    """The weekly digest job (with its chart)."""
    await send_scheduled_digests(context, "weekly")


async def monthly(context: GridContext) -> None:
    """The monthly assessment job."""
    await send_scheduled_assessments(context)


async def resume(context: GridContext) -> None:
    """Carry on delivering announcements a restart interrupted."""
    await context.rt.presenters.resume_announcements(context.application)  # type: ignore[arg-type]


async def catch_up(context: GridContext) -> None:
    """After start-up: the runs missed while the bot was down (what a stop left half-sent
    is not sent again)."""
    rt = context.rt
    unknown = await ledger.recover(rt.db, rt.process)
    if unknown:
        log.warning("%d scheduled sends were interrupted by a stop; not resent", unknown)
    await daily(context)
    await weekly(context)
    await monthly(context)


def register(app: GridApp, config: Any) -> None:
    """Schedule the digests, the assessment and the start-up catch-up (idempotent)."""
    queue = app.job_queue
    assert queue is not None
    tz = config.tz
    cadre = config.cadre
    jobs = [
        (DAILY_JOB, daily, cadre.digest.daily),
        (WEEKLY_JOB, weekly, cadre.digest.weekly),
        (ASSESSMENT_JOB, monthly, cadre.assessment.monthly),
    ]
    for name, callback, cron in jobs:
        forget(app, name)
        queue.run_custom(
            callback,
            job_kwargs={"trigger": cron_trigger(cron, tz)},
            name=name,
        )
    forget(app, RESUME_JOB, CATCH_UP_JOB)
    queue.run_once(resume, when=1, name=RESUME_JOB)
    queue.run_once(catch_up, when=CATCH_UP_AFTER, name=CATCH_UP_JOB)
