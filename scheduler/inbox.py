"""Forgetting handled updates once they can no longer be delivered again."""

from __future__ import annotations

import logging

from bot.config import Config
from bot.runtime import GridApp, GridContext
from scheduler.jobs import every

log = logging.getLogger(__name__)

JOB_NAME = "inbox-prune"


async def prune_inbox(context: GridContext) -> int:
    """Delete handled updates older than `[inbox] keep_for`; returns how many."""
    rt = context.rt
    gone = await rt.inbox.prune(int(rt.config.inbox.keep_for.total_seconds()))
    if gone:
        log.info("pruned %d handled update(s) from the inbox", gone)
    return gone


def register(app: GridApp, config: Config) -> None:
    """Prune every `[inbox] prune_every`."""
    every(app, prune_inbox, JOB_NAME, config.inbox.prune_every, first=60)
