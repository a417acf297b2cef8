"""Ending step-by-step flows left idle past `[flows] timeout`, with a short message."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.config import Config
from bot.runtime import GridApp, GridContext
from handlers.common import language_for
from handlers.flows.common import COMMANDS, SCRATCH, flow_name, idle
from handlers.scratch import drop_flow
from scheduler.jobs import every
from services import questions

log = logging.getLogger(__name__)

JOB_NAME = "flow-idle-sweep"


async def end_idle_flows(context: GridContext) -> int:
    """Forget every flow whose last step is older than the timeout and tell its person;
    drop the pending questions that expired."""
    rt, app = context.rt, context.application
    await questions.purge(rt.db, rt.clock)
    ended: list[tuple[int, str]] = []
    for user_id, data in list(app.user_data.items()):
        scratch = data.get(SCRATCH)
        if isinstance(scratch, dict) and idle(rt, scratch):
            drop_flow(data)
            ended.append((user_id, str(scratch.get("name", ""))))
    if not ended:
        return 0
    app.mark_data_for_update_persistence(user_ids=[user_id for user_id, _ in ended])
    await app.update_persistence()
    for user_id, name in ended:
        t = await language_for(context, user_id)
        try:
            await context.bot.send_message(
                user_id,
                t("flows.timed_out", flow=flow_name(t, name), command=COMMANDS.get(name, "")),
            )
        except TelegramError as exc:
            log.info("could not tell %s that their flow ended: %s", user_id, exc)
    log.info("ended %d idle flows", len(ended))
    return len(ended)


def register(app: GridApp, config: Config) -> None:
    """Look for idle flows every `[flows] sweep_every`."""
    every(app, end_idle_flows, JOB_NAME, config.flows.sweep_every, first=config.flows.sweep_every)
