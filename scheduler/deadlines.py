"""The deadline sweep: every kind of case past its deadline climbs a level, once per breach."""

from __future__ import annotations

import logging

from bot.config import Config
from bot.runtime import GridApp, GridContext
from handlers.flows import pension_notify
from handlers.reports import moves as report_notify
from scheduler.jobs import every
from services import cases
from services.pension_visits import HOME_VISITS
from services.reports.moves import REPORTS

log = logging.getLogger(__name__)

JOB_NAME = "case-deadline-sweep"


async def sweep_deadlines(context: GridContext) -> int:
    """Escalate overdue reports and home visits, tell the new level and the person who asked;
    returns how many climbed."""
    rt = context.rt
    # The notices are stored with the escalations, in one transaction.
    async with rt.db.transaction():
        reports = await cases.sweep(rt.db, rt.clock, rt.config, REPORTS)
        for each in reports:
            await report_notify.announce(context, each)
        visits = await cases.sweep(rt.db, rt.clock, rt.config, HOME_VISITS)
        for visit in visits:
            await pension_notify.announce(context, visit)
    if reports or visits:
        log.info(
            "deadline sweep escalated %d reports and %d home visits", len(reports), len(visits)
        )
    return len(reports) + len(visits)


def register(app: GridApp, config: Config) -> None:
    """Run the sweep every `[reports] sweep_every` or `[flows.pension] sweep_every`, whichever
    is shorter, the first time right after start-up."""
    interval = min(config.reports.sweep_every, config.flows.pension.sweep_every)
    every(app, sweep_deadlines, JOB_NAME, interval, first=5)
