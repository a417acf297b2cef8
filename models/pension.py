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
    """What a worker can do with a home visit."""

    SCHEDULE = "schedule"
    DONE = "done"
    FAIL = "fail"


TRANSITIONS: dict[Move, Status] = {
    Move.SCHEDULE: Status.SCHEDULED,
    Move.DONE: Status.DONE,
    Move.FAIL: Status.FAILED,
}


class PensionRequest(BaseModel):
    """A request for help with pension authentication."""

    model_config = ConfigDict(frozen=True)

    id: int
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
    owner_staff_id: int | None
    escalations: int
    overdue: bool
    due_at: datetime | None
    visit_at: datetime | None
    outcome_note: str
    created_at: datetime
    updated_at: datetime

    @property
    def number(self) -> str:
        """The number people see: P12."""
        return f"P{self.id}"

    @property
    def is_open(self) -> bool:
        """Whether a worker still has to act."""
        return self.status in OPEN_STATUSES


class Forbidden(Exception):
    """A move the request's status does not allow."""


def target(request: PensionRequest, move: Move) -> Status:
    """The status after `move`, or Forbidden when the request is no longer open."""
    if request.mode is not Mode.HOME_VISIT or not request.is_open:
        raise Forbidden(f"{move} is not allowed from {request.status}")
    return TRANSITIONS[move]


def staff_may(request: PensionRequest, staff_level: Level, covers: bool) -> bool:
    """Staff act on visits of their own subtree once the visit has reached their level."""
    return covers and request.level is not None and staff_level <= request.level


def escalation_level(request: PensionRequest) -> Level | None:
    """The level a visit past its deadline climbs to; None at the town (only flagged)."""
    return request.level.parent if request.level is not None else None


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
