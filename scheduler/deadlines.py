"""The deadline sweep: reports past their deadlines climb a level, once per breach."""

from __future__ import annotations

import logging

from bot.config import Config
from bot.runtime import GridApp, GridContext
from handlers.reports.moves import announce
from scheduler.jobs import every
from services.reports import moves

log = logging.getLogger(__name__)

JOB_NAME = "report-deadline-sweep"


async def sweep_deadlines(context: GridContext) -> int:
    """Escalate overdue reports and tell the new level and the resident; returns how many."""
    rt = context.rt
    # The notices are stored with the escalations, in one transaction.
    async with rt.db.transaction():
        moved = await moves.sweep(rt.db, rt.clock, rt.config)
        for each in moved:
            await announce(context, each)
    if moved:
        log.info("deadline sweep escalated %d reports", len(moved))
    return len(moved)


def register(app: GridApp, config: Config) -> None:
    """Run the sweep every `[reports] sweep_every`, the first time right after start-up."""
    every(app, sweep_deadlines, JOB_NAME, config.reports.sweep_every, first=5)
