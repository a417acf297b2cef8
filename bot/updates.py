"""Update processing: concurrent across chats, in order within a chat, observable when done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs updates of different chats concurrently and those of one chat one at a time.

    A slow send in one group (waiting for its flood limit) never holds up the others,
    while one person's steps are still handled in the order they were sent.
    Finished update ids are recorded so a driver (tests, the demo) can wait for them.
    """

    def __init__(self, max_concurrent_updates: int = 64, keep: int = 10_000) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._done: dict[int, None] = {}
        self._keep = keep
        self._finished = asyncio.Event()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Process one update under its chat's lock and record that it finished."""
        key = _chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked() and not lock._waiters:
                self._locks.pop(key, None)
            if isinstance(update, Update):
                self._done[update.update_id] = None
                if len(self._done) > self._keep:
                    self._done.pop(next(iter(self._done)))
            self._finished.set()

    def is_done(self, update_id: int) -> bool:
        """Whether the update with this id has been fully handled."""
        return update_id in self._done

    async def wait_done(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the update with this id has been fully handled."""
        async with asyncio.timeout(timeout):
            while update_id not in self._done:
                self._finished.clear()
                await self._finished.wait()


def _chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0
