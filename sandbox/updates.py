"""The bot's update queue with Telegram's getUpdates semantics, and change notification."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sandbox.errors import ApiError

T = TypeVar("T")

UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post",
    "business_connection", "business_message", "edited_business_message",
    "deleted_business_messages", "message_reaction", "message_reaction_count",
    "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
)  # fmt: skip
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Notifier:
    """Wakes every waiter on each state change; usable from synchronous code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.version = 0

    def notify(self) -> None:
        """Signal a change to everyone currently waiting."""
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    def changed(self) -> Coroutine[Any, Any, bool]:
        """Return an awaitable for the next change, bound to the current state right away."""
        return self._event.wait()

    async def wait_for(self, predicate: Callable[[], T | None], seconds: float) -> T:
        """Return the first truthy value of predicate(), re-evaluated after every change."""
        async with asyncio.timeout(seconds):
            while True:
                result = predicate()
                if result:
                    return result
                await self._event.wait()


class UpdateQueue:
    """Pending updates for the bot, confirmed by getUpdates offsets."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.pending: list[dict[str, Any]] = []
        self.allowed: frozenset[str] = frozenset(UPDATE_TYPES) - DEFAULT_EXCLUDED
        self.next_id = 1
        self.closing = False
        self.waiters = 0
        self._poll_generation = 0

    def set_allowed(self, allowed: list[str]) -> None:
        """Remember allowed_updates; an empty list restores the default set."""
        chosen = set(allowed) & set(UPDATE_TYPES)
        self.allowed = frozenset(chosen) if allowed else frozenset(UPDATE_TYPES) - DEFAULT_EXCLUDED

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless its type is not allowed; return it."""
        if kind not in self.allowed:
            return None
        update = {"update_id": self.next_id, kind: payload}
        self.next_id += 1
        self.pending.append(update)
        self.notifier.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Apply a getUpdates offset: drop confirmed updates (negative: keep the last -offset)."""
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]
        self.notifier.notify()

    def remove(self, update_id: int) -> None:
        """Drop one update (delivered to a webhook)."""
        self.pending = [u for u in self.pending if u["update_id"] != update_id]
        self.notifier.notify()

    def clear(self) -> None:
        """Drop all pending updates."""
        self.pending = []
        self.notifier.notify()

    async def get(self, offset: int | None, limit: int, seconds: float) -> list[dict[str, Any]]:
        """Long-poll for updates like getUpdates; a newer poll ends this one with 409."""
        if offset is not None:
            self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.notifier.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, seconds)
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self.pending[: max(1, min(limit, 100))]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self.closing:
                return batch
            self.waiters += 1
            self.notifier.notify()
            try:
                await asyncio.wait_for(self.notifier.changed(), remaining)
            except TimeoutError:
                return self.pending[: max(1, min(limit, 100))]
            finally:
                self.waiters -= 1
