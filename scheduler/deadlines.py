"""The deadline sweep: every kind of case past its deadline climbs a level, once per breach."""

from __future__ import annotations

import logging
from typing import TypeVar

from bot.config import Config
from bot.runtime import GridApp, GridContext
from handlers import case_notices
from handlers.case_notices import CaseRenderer, Record
from handlers.flows.pension_notify import RENDERER as VISIT_RENDERER
from handlers.reports.notify import RENDERER as REPORT_RENDERER
from scheduler.jobs import every
from services import cases
from services.cases import CaseKind
from services.pension_visits import HOME_VISITS
from services.reports.moves import REPORTS

log = logging.getLogger(__name__)

JOB_NAME = "case-deadline-sweep"

R = TypeVar("R", bound=Record)


async def _sweep(context: GridContext, kind: CaseKind[R], renderer: CaseRenderer[R]) -> int:
    rt = context.rt
    moved = await cases.sweep(rt.db, rt.clock, rt.config, kind)
    for each in moved:
        await case_notices.announce(context, renderer, each)
    if moved:
        log.info("deadline sweep escalated %d %ss", len(moved), renderer.noun)
    return len(moved)


async def sweep_deadlines(context: GridContext) -> int:
    """Escalate overdue reports and home visits, tell the new level and the person who asked;
    returns how many climbed."""
    # The notices are stored with the escalations, in one transaction.
    async with context.rt.db.transaction():
        return await _sweep(context, REPORTS, REPORT_RENDERER) + await _sweep(
            context, HOME_VISITS, VISIT_RENDERER
        )


def register(app: GridApp, config: Config) -> None:
    """Run the sweep every `[reports] sweep_every` or `[flows.pension] sweep_every`, whichever
    is shorter, the first time right after start-up."""
    interval = min(config.reports.sweep_every, config.flows.pension.sweep_every)
    every(app, sweep_deadlines, JOB_NAME, interval, first=5)
