"""Reports: the status model of SPEC §5.3 as a pure state machine.

    new → accepted → resolved → closed
    new/accepted --escalate--> new (one level up: L4 → L3 → L2 → L1)
    resolved --reopen--> accepted (same owner, counted)
    new/accepted --duplicate--> duplicate ; --reject--> rejected
A worker may resolve a new report directly (taking it and solving it in one go).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.units import Level


class Status(StrEnum):
    """Where a report stands."""

    NEW = "new"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


OPEN = frozenset({Status.NEW, Status.ACCEPTED, Status.RESOLVED})
# Statuses in which the grid still has work to do (resolved waits for the resident only).
IN_PROGRESS = frozenset({Status.NEW, Status.ACCEPTED})
FINAL = frozenset({Status.CLOSED, Status.DUPLICATE, Status.REJECTED})


class Move(StrEnum):
    """Everything that can happen to a report."""

    ACCEPT = "accept"
    RESOLVE = "resolve"
    ESCALATE = "escalate"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    DUPLICATE = "duplicate"
    REJECT = "reject"


STAFF_MOVES = frozenset({Move.ACCEPT, Move.RESOLVE, Move.ESCALATE, Move.DUPLICATE, Move.REJECT})
RESIDENT_MOVES = frozenset({Move.CONFIRM, Move.REOPEN})
# Moves that need a short note from the worker.
NEEDS_NOTE = frozenset({Move.RESOLVE, Move.REJECT, Move.DUPLICATE})

TRANSITIONS: dict[Move, tuple[frozenset[Status], Status]] = {
    Move.ACCEPT: (frozenset({Status.NEW}), Status.ACCEPTED),
    Move.RESOLVE: (frozenset({Status.NEW, Status.ACCEPTED}), Status.RESOLVED),
    Move.ESCALATE: (frozenset({Status.NEW, Status.ACCEPTED}), Status.NEW),
    Move.CONFIRM: (frozenset({Status.RESOLVED}), Status.CLOSED),
    Move.REOPEN: (frozenset({Status.RESOLVED}), Status.ACCEPTED),
    Move.DUPLICATE: (frozenset({Status.NEW, Status.ACCEPTED}), Status.DUPLICATE),
    Move.REJECT: (frozenset({Status.NEW, Status.ACCEPTED}), Status.REJECTED),
}


class Report(BaseModel):
    """A filed report as the rules see it."""

    model_config = ConfigDict(frozen=True)

    id: int
    micro_grid_id: int
    category: str
    description: str
    photo_file_id: str | None
    reporter_tg_id: int
    reporter_name: str
    household_id: int | None
    source_chat_id: int
    source_message_id: int
    status: Status
    level: Level
    unit_id: int
    owner_staff_id: int | None
    escalations: int
    reopen_count: int
    solved_on_spot: bool
    overdue: bool
    duplicate_of: int | None
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def number(self) -> str:
        """The number people see: #178."""
        return f"#{self.id}"

    @property
    def is_open(self) -> bool:
        """Whether the report still needs someone."""
        return self.status in OPEN


class Forbidden(Exception):
    """A move that the status model does not allow from the report's status."""


def target(report: Report, move: Move) -> tuple[Status, Level]:
    """The status and level after `move`, or Forbidden when it is not allowed now."""
    sources, to = TRANSITIONS[move]
    if report.status not in sources:
        raise Forbidden(f"{move} is not allowed from {report.status}")
    if move is Move.ESCALATE:
        parent = report.level.parent
        if parent is None:
            raise Forbidden("a town-level report cannot be escalated further")
        return to, parent
    return to, report.level


@dataclass(frozen=True)
class Handler:
    """The staff member about to move a report: id, level and whether they cover it."""

    staff_id: int
    level: Level
    covers: bool


def staff_may(report: Report, move: Move, who: Handler) -> bool:
    """Whether this staff member may make `move` on the report (status checked separately).

    Staff act only on reports of their own subtree, and only once the report has reached
    their level or below it. A new report is open to every such person (the first to
    accept owns it); an accepted one belongs to its owner, and to those above the owner.
    """
    if move not in STAFF_MOVES or not who.covers or who.level > report.level:
        return False
    if report.status is Status.ACCEPTED and report.owner_staff_id is not None:
        return who.staff_id == report.owner_staff_id or who.level < report.level
    return True


def resident_may(report: Report, move: Move, tg_user_id: int) -> bool:
    """Whether this resident may make `move`: only the reporter confirms or reopens."""
    return move in RESIDENT_MOVES and tg_user_id == report.reporter_tg_id


def solved_on_the_spot(report: Report, resolver_level: Level) -> bool:
    """Resolved by the micro-grid's own L4 worker without any escalation (就地解决)."""
    return resolver_level is Level.MICRO_GRID and report.escalations == 0
