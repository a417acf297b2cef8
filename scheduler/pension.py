"""The home-visit deadline sweep: a visit past its deadline climbs a level, once per breach."""

from __future__ import annotations

import logging

from bot.config import Config
from bot.runtime import GridApp, GridContext
from handlers.flows.pension_notify import announce
from scheduler.jobs import every
from services import pension_visits

log = logging.getLogger(__name__)

JOB_NAME = "pension-deadline-sweep"


async def sweep_visits(context: GridContext) -> int:
    """Escalate overdue home visits, tell the new level and the requester; returns how many."""
    rt = context.rt
    # The notices are stored with the escalations, in one transaction.
    async with rt.db.transaction():
        moved = await pension_visits.sweep(rt.db, rt.clock, rt.config)
        for each in moved:
            await announce(context, each)
    if moved:
        log.info("pension sweep escalated %d home visits", len(moved))
    return len(moved)


def register(app: GridApp, config: Config) -> None:
    """Run the sweep every `[flows.pension] sweep_every`, the first time soon after start-up."""
    every(app, sweep_visits, JOB_NAME, config.flows.pension.sweep_every, first=7)
