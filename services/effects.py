"""What a caller does inside a use case's transaction.

Handlers speak Telegram and services do not, so a use case cannot render its own notices; it
takes `then`, the caller's rendering and enqueueing of them, and runs it in its transaction
before the commit: a change and the notices of it are stored together or not at all, and the
handler never opens a transaction itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.storage.db import Database

T = TypeVar("T")

Then = Callable[[T], Awaitable[None]]


async def within(
    db: Database, work: Awaitable[T | None], then: Then[T] | None, quick: bool = False
) -> T | None:
    """Await `work` in a transaction of its own (joining the caller's, if any) and, when it
    gives something, `then` with it before the commit. `quick`: a unit of short statements
    (see `Database.transaction`)."""
    async with db.transaction(quick=quick):
        result = await work
        if then is not None and result is not None:
            await then(result)
        return result
