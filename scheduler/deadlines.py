"""The deadline sweep: every kind of case past its deadline climbs a level, once per breach."""

from __future__ import annotations

import logging
from typing import Any

from bot.config import Config
from bot.runtime import GridApp, GridContext, SweptKind
from scheduler.jobs import every
from services import cases

log = logging.getLogger(__name__)

JOB_NAME = "case-deadline-sweep"


async def _sweep(context: GridContext, swept: SweptKind[Any]) -> int:
    rt = context.rt
    # The notices are stored with the moves, in the sweep's transaction.
    tell_lapsed = swept.lapsed
    moved = await cases.sweep(
        rt.db,
        rt.clock,
        rt.config,
        swept.kind,
        then=lambda each: swept.announce(context, each),
        lapsed=(lambda each: tell_lapsed(context, each)) if tell_lapsed is not None else None,
    )
    if moved:
        log.info("deadline sweep moved %d %ss", len(moved), swept.noun)
    return len(moved)


async def sweep_deadlines(context: GridContext) -> int:
    """Escalate overdue reports and home visits, tell the new level and the person who asked;
    returns how many climbed."""
    climbed = 0
    for swept in context.rt.presenters.swept:
        climbed += await _sweep(context, swept)
    return climbed


def register(app: GridApp, config: Config) -> None:
    """Run the sweep every `[reports] sweep_every` or `[flows.pension] sweep_every`, whichever
    is shorter, the first time right after start-up."""
    interval = min(config.reports.sweep_every, config.flows.pension.sweep_every)
    every(app, sweep_deadlines, JOB_NAME, interval, first=5)
