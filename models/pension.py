"""Pension-authentication help (养老认证): the request, its status model, and input rules.

    home visit:  open → scheduled → done | failed   (schedule again while scheduled)
                 open/scheduled --past its deadline--> open, one level up (L4 → L3 → L2 → L1)
    self-service / service point: guided (the steps were shown; nothing left to do)

Only the last 4 characters of an ID number are ever kept. A whole ID number typed anywhere is
refused before any flow sees it (models.id_numbers, handlers.privacy).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.cases import (
    CaseRecord,
    Due,
    Effects,
    Forbidden,
    Kind,
    KindRules,
    Owner,
    Stamp,
    Transition,
)
from models.id_numbers import carries_id_number
from models.units import Level


class Mode(StrEnum):
    """How the person will get authenticated."""

    HOME_VISIT = "home_visit"
    SELF_SERVICE = "self_service"
    SERVICE_POINT = "service_point"


class Status(StrEnum):
    """Where a request stands."""

    OPEN = "open"
    SCHEDULED = "scheduled"
    DONE = "done"
    FAILED = "failed"
    GUIDED = "guided"


OPEN_STATUSES = frozenset({Status.OPEN, Status.SCHEDULED})


class Move(StrEnum):
    """What a worker can do with a home visit, and what its deadline does."""

    SCHEDULE = "schedule"
    DONE = "done"
    FAIL = "fail"
    ESCALATE = "escalate"  # only the deadline sweep


STAFF_MOVES = frozenset({Move.SCHEDULE, Move.DONE, Move.FAIL})
_CLOSES = Effects(
    owner=Owner.TAKE, due=Due.CLEAR, stamp=frozenset({Stamp.CLOSED}), keeps_outcome=True
)

RULES = KindRules(
    kind=Kind.HOME_VISIT,
    transitions={
        Move.SCHEDULE: Transition(
            OPEN_STATUSES, Status.SCHEDULED, Effects(owner=Owner.TAKE, books_visit=True)
        ),
        Move.DONE: Transition(OPEN_STATUSES, Status.DONE, _CLOSES),
        Move.FAIL: Transition(OPEN_STATUSES, Status.FAILED, _CLOSES),
        Move.ESCALATE: Transition(
            OPEN_STATUSES,
            Status.OPEN,
            Effects(owner=Owner.RELEASE, due=Due.VISIT, climbs=True, drops_visit=True),
        ),
    },
    sweep_moves={status: Move.ESCALATE for status in OPEN_STATUSES},
)


class PensionAsk(BaseModel):
    """What a requester gave for one person, and where the request goes."""

    model_config = ConfigDict(frozen=True)

    mode: Mode
    status: Status
    for_self: bool
    person_name: str
    id_last4: str
    phone: str
    requester_tg_id: int
    requester_name: str
    household_id: int | None
    micro_grid_id: int | None
    level: Level | None
    unit_id: int | None
    due_at: datetime | None


class NewRequest(PensionAsk):
    """A request about to be stored, with the message it was made from."""

    source_chat_id: int
    source_message_id: int


class PensionRequest(CaseRecord, PensionAsk):
    """A request for help with pension authentication."""

    visit_at: datetime | None
    outcome_note: str

    @property
    def number(self) -> str:
        """The number people see: P12."""
        return f"P{self.id}"

    @property
    def is_open(self) -> bool:
        """Whether a worker still has to act."""
        return self.status in OPEN_STATUSES


def target(request: PensionRequest, move: Move) -> Status:
    """The status after a worker's `move`, or Forbidden when the request is no longer open."""
    transition = RULES.transition(move)
    if move not in STAFF_MOVES or request.status not in transition.sources:
        raise Forbidden(f"{move} is not allowed from {request.status}")
    return Status(transition.to)


def staff_may(request: PensionRequest, staff_level: Level, covers: bool) -> bool:
    """Staff act on visits of their own subtree once the visit has reached their level."""
    return covers and request.level is not None and staff_level <= request.level


_ID_TAIL = re.compile(r"^\d{3}[\dX]$")
_DIGIT_RUN = re.compile(r"\d{5,}")


class IdRefused(ValueError):
    """Not the last 4 characters of an ID number; `whole_id` when it looks like a whole one."""

    def __init__(self, whole_id: bool) -> None:
        super().__init__("whole id number" if whole_id else "not 4 characters")
        self.whole_id = whole_id


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", text)).upper()


def id_tail(text: str) -> str:
    """The last 4 characters of an ID number (digits, the last may be X), or IdRefused.

    More than 4 digits in a row is treated as (part of) a whole number: refused, not echoed.
    """
    if carries_id_number(text) or _DIGIT_RUN.search(_compact(text)):
        raise IdRefused(whole_id=True)
    compact = _compact(text)
    if not _ID_TAIL.match(compact):
        raise IdRefused(whole_id=False)
    return compact


def person_name(text: str, limit: int = 20) -> str | None:
    """A person's name as typed (no digits, not too long), or None when it is not one."""
    name = unicodedata.normalize("NFKC", text).strip()
    if not name or len(name) > limit or any(ch.isdigit() for ch in name):
        return None
    return name
