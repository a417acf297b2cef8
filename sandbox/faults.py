"""Injected faults: the next N calls of a Bot API method fail the way Telegram can fail.

A faulted call is answered with the error (and recorded like any other call) and changes
nothing: no message is sent, no answer stored. `hang` holds the answer for `seconds` (past
the client's timeout) and then fails it with 504, so the call never takes effect either.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from sandbox.errors import ApiError

KINDS = ("500", "502", "429", "403", "400", "hang")


@dataclass
class Fault:
    """The next `count` calls of `method` fail with `kind`."""

    method: str
    kind: str
    count: int = 1
    retry_after: int = 5
    description: str = ""
    seconds: float = 30.0

    def error(self) -> ApiError:
        """The error Telegram would answer."""
        if self.kind == "429":
            return ApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        if self.kind == "403":
            return ApiError(403, f"Forbidden: {self.description or 'bot was blocked by the user'}")
        if self.kind == "400":
            return ApiError(400, f"Bad Request: {self.description or 'chat not found'}")
        if self.kind == "502":
            return ApiError(502, "Bad Gateway")
        if self.kind == "hang":
            return ApiError(504, "Gateway Timeout")
        return ApiError(
            500, f"Internal Server Error{': ' + self.description if self.description else ''}"
        )


class Faults:
    """The faults waiting to happen, first added first used, per method."""

    def __init__(self) -> None:
        self._waiting: list[Fault] = []

    def add(
        self,
        method: str,
        kind: str,
        count: int = 1,
        retry_after: int = 5,
        description: str = "",
        seconds: float = 30.0,
    ) -> Fault:
        """Make the next `count` calls of `method` fail with `kind` (one of KINDS)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(method, kind, count, retry_after, description, seconds)
        self._waiting.append(fault)
        return fault

    def clear(self, method: str | None = None) -> None:
        """Forget the waiting faults (of one method, or all)."""
        self._waiting = [
            f for f in self._waiting if method is not None and f.method.lower() != method.lower()
        ]

    def take(self, method: str) -> Fault | None:
        """The fault for this call of `method`, if one waits (using up one of its count)."""
        for fault in self._waiting:
            if fault.method.lower() == method.lower():
                fault.count -= 1
                if fault.count <= 0:
                    self._waiting.remove(fault)
                return fault
        return None

    def waiting(self) -> list[dict[str, Any]]:
        """The waiting faults, as data."""
        return [asdict(f) for f in self._waiting]


async def fail(fault: Fault) -> ApiError:
    """Wait as the fault says (a hang), then return the error to answer."""
    if fault.kind == "hang":
        await asyncio.sleep(fault.seconds)
    return fault.error()
