"""One Bot API call's outcome, and Telegram's errors reduced to the outbox policy's faults."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from telegram import Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from models.outbox import Fault


@dataclass(frozen=True)
class Attempt:
    """The outcome of one Bot API call: the result, or the fault and its details."""

    result: Any = None
    fault: Fault | None = None
    detail: str = ""
    retry_after: float | None = None
    new_chat_id: int | None = None
    error: Exception | None = field(default=None, compare=False)
    gave_up: bool = False  # set by `Sender.send`: the policy says never to try this again
    moved_to: int | None = None  # set by `Sender.send`: the group became this supergroup

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.fault is None

    @property
    def message_id(self) -> int | None:
        """The id of the message sent or edited, when the result is one (a `Message`, or
        its JSON from a plain call)."""
        if isinstance(self.result, Message):
            return self.result.message_id
        if isinstance(self.result, dict):
            message_id = self.result.get("message_id")
            return message_id if isinstance(message_id, int) else None
        return None


def fault_of(exc: Exception) -> Attempt:
    """Reduce an exception from a Bot API call to a fault (5xx count as network errors: PTB
    reports both as NetworkError, and both may pass)."""
    return replace(_fault_of(exc), error=exc)


def _fault_of(exc: Exception) -> Attempt:
    detail = str(exc)[:200]
    if isinstance(exc, RetryAfter):
        # PTB 22 keeps the wait as a timedelta and warns when it is read as a number.
        wait = getattr(exc, "_retry_after", None) or exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return Attempt(fault=Fault.FLOOD, detail=detail, retry_after=seconds)
    if isinstance(exc, ChatMigrated):
        return Attempt(fault=Fault.MIGRATED, detail=detail, new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, TimedOut):
        return Attempt(fault=Fault.TIMEOUT, detail=detail)
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return Attempt(fault=Fault.NETWORK, detail=detail)
    if isinstance(exc, Forbidden):
        return Attempt(fault=Fault.FORBIDDEN, detail=detail)
    if isinstance(exc, BadRequest):
        return Attempt(fault=Fault.BAD_REQUEST, detail=detail)
    return Attempt(fault=Fault.OTHER, detail=f"{type(exc).__name__}: {detail}")


def snake_case(method: str) -> str:
    """The PTB method name of a Bot API method (sendMessage → send_message)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()
