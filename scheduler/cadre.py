"""Scheduled cadre work: daily and weekly digests, the monthly assessment, and resuming
announcements that a restart interrupted. Deterministic job names; a run that was missed
while the bot was down is caught up shortly after start-up (each send still happens once)."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import TelegramError

from bot.crontab import cron_trigger
from bot.runtime import GridApp, GridContext
from handlers.cadre.announce import resume_announcements
from handlers.cadre.assess import send_scheduled_assessments
from handlers.cadre.digest import digest_chart, send_digest
from handlers.common import language_for
from scheduler.jobs import forget
from services import digest as service
from services.digest import Digest

log = logging.getLogger(__name__)

DAILY_JOB = "digest-daily"
WEEKLY_JOB = "digest-weekly"
ASSESSMENT_JOB = "assessment-monthly"
RESUME_JOB = "announcements-resume"
CATCH_UP_JOB = "cadre-catch-up"
CATCH_UP_AFTER = 15  # seconds after start-up


async def send_scheduled_digests(context: GridContext, kind: str) -> int:
    """Send this occurrence's digest to every recipient not yet sent it; returns how many."""
    rt = context.rt
    run = await service.claim_scheduled(rt.db, rt.clock, rt.config, kind)
    if run is None:
        return 0
    digests: dict[int, Digest | None] = {}
    charts: dict[tuple[int, str], bytes] = {}
    sent = 0
    for recipient in run.recipients:
        if recipient.unit_id not in digests:
            digests[recipient.unit_id] = await service.digest_of_unit(
                rt.db, rt.clock, rt.config, recipient.unit_id, run.span
            )
        digest = digests[recipient.unit_id]
        if digest is None:
            continue
        t = await language_for(context, recipient.tg_user_id)
        weekly = kind == "weekly" and rt.config.cadre.digest.chart
        chart = None
        if weekly:
            key = (recipient.unit_id, t.code)
            if key not in charts:
                charts[key] = await digest_chart(rt, t, digest)
            chart = charts[key]
        try:
            await send_digest(context, recipient.tg_user_id, t, digest, chart=weekly, png=chart)
        except TelegramError as exc:
            log.info("digest %s not delivered to %s: %s", kind, recipient.staff_code, exc)
            await service.finish_send(
                rt.db, rt.clock, kind, run.span.key, recipient, False, str(exc)
            )
            continue
        await service.finish_send(rt.db, rt.clock, kind, run.span.key, recipient, True)
        sent += 1
    log.info("%s digest for %s sent to %d people", kind, run.span.key, sent)
    return sent


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
    await resume_announcements(context.application)  # type: ignore[arg-type]


async def catch_up(context: GridContext) -> None:
    """After start-up: the runs missed while the bot was down."""
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
