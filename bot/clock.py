"""Time sources: the system clock in production, a controllable one in tests and benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The current fake time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new time."""
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (aware)."""
        self._now = when.astimezone(UTC)


def to_ts(when: datetime) -> int:
    """Unix seconds of an aware datetime (how the database stores times)."""
    return int(when.timestamp())


def from_ts(ts: int) -> datetime:
    """Aware UTC datetime from unix seconds."""
    return datetime.fromtimestamp(ts, UTC)
