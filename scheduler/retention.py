"""The retention sweep: scratch rows past their `[retention]` window are deleted."""

from __future__ import annotations

from bot.config import Config
from bot.runtime import GridApp, GridContext
from scheduler.jobs import every
from services.retention import prune_scratch

JOB_NAME = "retention-prune"
# Not in the busy first seconds after start-up.
FIRST_RUN_AFTER = 60


async def prune(context: GridContext) -> int:
    """Delete scratch rows past their window; returns how many."""
    rt = context.rt
    removed = await prune_scratch(rt.db, rt.clock, rt.config.retention)
    return sum(removed.values())


def register(app: GridApp, config: Config) -> None:
    """Sweep every `[retention] sweep_every`."""
    every(app, prune, JOB_NAME, config.retention.sweep_every, first=FIRST_RUN_AFTER)
