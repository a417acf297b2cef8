"""What to do after a send failed: the outbox's retry policy as pure decisions.

A Telegram answer is reduced to a `Fault` at the edge; here it becomes a `Decision`: try
again at a given time, send to the chat the group moved to, or give up for good (with the
reason, and whether the recipient's fallback should be taken).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Fault(StrEnum):
    """How a send failed, as far as the decision goes."""

    FLOOD = "flood"  # 429: wait `retry_after`
    SERVER = "server"  # 5xx
    NETWORK = "network"  # connection refused, reset, …
    TIMEOUT = "timeout"  # no answer within the client's timeout
    FORBIDDEN = "forbidden"  # 403: the user never opened the bot, blocked it, left the group
    BAD_REQUEST = "bad_request"  # 400: the request itself is wrong; sending again cannot help
    MIGRATED = "migrated"  # 400 with migrate_to_chat_id: the group became a supergroup
    OTHER = "other"  # anything else the API answered


# Faults a later attempt may cure.
PASSING = frozenset({Fault.FLOOD, Fault.SERVER, Fault.NETWORK, Fault.TIMEOUT, Fault.OTHER})


class Verdict(StrEnum):
    """What the sender does next with a failed row."""

    RETRY = "retry"
    REDIRECT = "redirect"  # send again at once, to the new chat
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class Policy:
    """How hard the outbox tries."""

    max_attempts: int = 8
    give_up_after: timedelta = timedelta(days=1)
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Decision:
    """The verdict, when to try again, and the reason to record."""

    verdict: Verdict
    at: datetime | None = None
    reason: str = ""
    fallback: bool = False  # give-up where the recipient cannot be reached: take the fallback


def backoff(policy: Policy, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from the first delay, capped."""
    exponent = min(max(attempts - 1, 0), 30)
    return min(policy.first_delay * (2**exponent), policy.max_delay)


def decide(
    policy: Policy,
    fault: Fault,
    attempts: int,
    created_at: datetime,
    now: datetime,
    retry_after: float | None = None,
    detail: str = "",
) -> Decision:
    """The decision after attempt number `attempts` (1-based) failed with `fault`.

    A flood wait does not count against `max_attempts` (Telegram said exactly when to come
    back), but no row outlives `give_up_after`.
    """
    reason = f"{fault.value}: {detail}" if detail else fault.value
    if fault is Fault.FORBIDDEN:
        return Decision(Verdict.GIVE_UP, reason=reason, fallback=True)
    if fault is Fault.BAD_REQUEST:
        return Decision(Verdict.GIVE_UP, reason=reason)
    if fault is Fault.MIGRATED:
        return Decision(Verdict.REDIRECT, at=now, reason=reason)
    if fault is Fault.FLOOD:
        wait = timedelta(seconds=max(retry_after or 1.0, 1.0))
    else:
        if attempts >= policy.max_attempts:
            return Decision(Verdict.GIVE_UP, reason=f"{reason} (after {attempts} attempts)")
        wait = backoff(policy, attempts)
    at = now + wait
    if at > created_at + policy.give_up_after:
        return Decision(Verdict.GIVE_UP, reason=f"{reason} (too old to retry)")
    return Decision(Verdict.RETRY, at=at, reason=reason)


def expired(policy: Policy, created_at: datetime, now: datetime) -> bool:
    """Whether a row waited so long (e.g. the bot was down) that it is failed unsent."""
    return now > created_at + policy.give_up_after


class Recipient(StrEnum):
    """Who a notice is for (how a failure is shown)."""

    STAFF = "staff"
    RESIDENT = "resident"
    GROUP = "group"


@dataclass(frozen=True)
class Notice:
    """One Bot API call to make because something changed, rendered when it changed.

    `key` makes it unique: the same key enqueued again (a re-handled update) is ignored.
    `fallback` is enqueued instead when the recipient cannot be reached (403).
    """

    key: str
    method: str
    chat_id: int
    params: dict[str, object]
    recipient: Recipient
    subject: str = ""
    staff_id: int | None = None
    fallback: Notice | None = None


@dataclass(frozen=True)
class Pending:
    """A stored outbox row the sender is to deliver."""

    id: int
    notice: Notice
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class Failed:
    """A notice given up for good, for /status and the digest."""

    recipient: Recipient
    staff_id: int | None
    subject: str
    error: str
    at: datetime
