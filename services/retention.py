"""Pruning scratch rows after their `[retention]` window, in small transactions so the bot's
own writes never wait long behind a big first sweep."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.clock import Clock, to_ts
from bot.config import RetentionSection
from bot.storage import retention as store
from bot.storage.db import Database

log = logging.getLogger(__name__)

BATCH = 500


async def prune_scratch(
    db: Database, clock: Clock, windows: RetentionSection, batch: int = BATCH
) -> dict[str, int]:
    """Delete every scratch row past its window; returns how many rows went, by table."""
    now = clock.now()
    removed: dict[str, int] = {}
    for table, (window, _) in store.SCRATCH.items():
        kept_for: timedelta = getattr(windows, window.value)
        before = to_ts(now - kept_for)
        total = 0
        while True:
            async with db.transaction():
                count = await store.prune(db, table, before, batch)
            total += count
            if count < batch:
                break
        removed[table] = total
    if any(removed.values()):
        log.info("pruned scratch rows: %s", {k: v for k, v in removed.items() if v})
    return removed
