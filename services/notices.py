"""Notices to send: enqueued in the caller's unit of work, sent by the outbox once committed."""

from __future__ import annotations

from bot.clock import Clock
from bot.storage import outbox
from bot.storage.db import Database
from models.outbox import Notice


async def enqueue(db: Database, clock: Clock, notices: list[Notice | None]) -> None:
    """Enqueue the notices (None: nothing to send), each once by its key; in the current
    transaction when there is one."""
    now = clock.now()
    async with db.transaction():
        for notice in notices:
            if notice is not None:
                await outbox.enqueue(db, notice, now)
