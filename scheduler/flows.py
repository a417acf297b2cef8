"""Ending step-by-step flows left idle past `[flows] timeout` (the flows say how, through
the runtime's presenters)."""

from __future__ import annotations

from bot.config import Config
from bot.runtime import GridApp, GridContext
from scheduler.jobs import every
from services import questions

JOB_NAME = "flow-idle-sweep"


async def end_idle_flows(context: GridContext) -> int:
    """Forget every flow whose last step is older than the timeout and tell its person;
    drop the pending questions that expired."""
    await questions.purge(context.rt.db, context.rt.clock)
    return await context.rt.presenters.end_idle_flows(context)


def register(app: GridApp, config: Config) -> None:
    """Look for idle flows every `[flows] sweep_every`."""
    every(app, end_idle_flows, JOB_NAME, config.flows.sweep_every, first=config.flows.sweep_every)
