"""Flood control on messages sent by the bot, modelled as token buckets."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class TokenBucket:
    """A bucket holding up to `capacity` tokens, refilled at `rate` tokens per second."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last look."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait_time(self, now: float, tolerance: float) -> float:
        """Seconds until one token is available (0 when one is, within `tolerance` seconds)."""
        self.refill(now)
        missing = 1.0 - self.tokens - tolerance * self.rate
        return max(0.0, missing / self.rate)

    def take(self) -> None:
        """Spend one token."""
        self.tokens -= 1.0


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


class FloodControl:
    """Overall (30/s) and per-group (20/min) limits, like Telegram's broadcast limits.

    `tolerance` (seconds) forgives requests that arrive slightly before a token is back: a
    client limiter admits a request when it decides to send it, but the sandbox sees it only
    when the shared event loop gets to it — tens of milliseconds later for the first request
    of a large burst, and hundreds on a busy machine. Half a second of tolerance (15 extra
    messages in a burst) still catches any bot that sends without a limiter, while a bot with
    PTB's limiter never sees a 429 for scheduling noise. Set it to 0 for exact arithmetic.
    """

    def __init__(
        self,
        enabled: bool = True,
        overall: tuple[float, float] = (30, 1.0),
        per_group: tuple[float, float] = (20, 60.0),
        tolerance: float = 0.5,
        clock: Callable[[], float] = _loop_time,
    ):
        self.enabled = enabled
        self.overall = overall
        self.per_group = per_group
        self.tolerance = tolerance
        self.clock = clock
        self._overall: TokenBucket | None = None
        self._groups: dict[int, TokenBucket] = {}

    def _bucket(self, limits: tuple[float, float], now: float) -> TokenBucket:
        capacity, period = limits
        return TokenBucket(capacity, capacity / period, capacity, now)

    def acquire(self, chat_id: int, is_group: bool) -> int | None:
        """Spend tokens for one message; return retry_after seconds when over the limit."""
        if not self.enabled:
            return None
        now = self.clock()
        if self._overall is None:
            self._overall = self._bucket(self.overall, now)
        buckets = [self._overall]
        if is_group:
            if chat_id not in self._groups:
                self._groups[chat_id] = self._bucket(self.per_group, now)
            buckets.append(self._groups[chat_id])
        wait = max(bucket.wait_time(now, self.tolerance) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take()
        return None

    def reset(self) -> None:
        """Forget all spent tokens."""
        self._overall = None
        self._groups.clear()
