"""Cases: one engine for everything that waits on a grid worker and climbs when late.

A case (a report, a pension home visit, …) has a kind, a status, the level and unit it waits
at, an owner, a due time, an escalation count and an overdue flag. Each kind declares its
transition table, and beside every transition what the move does to the case (`Effects`):
which deadline starts, whether the mover takes the case, what is stamped, what is counted.
`apply` turns a case and a move into a `CaseChange`; `overdue` picks the cases past due.
Both are pure: no database, no clock, no Telegram.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from models.units import Level


class Kind(StrEnum):
    """The kinds of case the engine serves."""

    REPORT = "report"
    HOME_VISIT = "home_visit"


class Due(StrEnum):
    """What a move does to the case's deadline: a named deadline starts, or it is kept or
    cleared."""

    KEEP = "keep"
    CLEAR = "clear"
    ACCEPT = "accept"
    RESOLVE = "resolve"
    CONFIRM = "confirm"  # the resident's confirmation of a resolution
    VISIT = "visit"


class Owner(StrEnum):
    """What a move does to the case's owner."""

    KEEP = "keep"
    TAKE = "take"  # the mover owns it from now on
    CLAIM = "claim"  # the mover takes it when nobody owns it
    RELEASE = "release"  # nobody owns it (it climbed)


class Stamp(StrEnum):
    """Moments a case remembers."""

    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"


@dataclass(frozen=True)
class Effects:
    """What a transition does besides changing the status."""

    owner: Owner = Owner.KEEP
    due: Due = Due.KEEP
    stamp: frozenset[Stamp] = frozenset()  # set to the move's time
    unstamp: frozenset[Stamp] = frozenset()  # forgotten
    climbs: bool = False  # one level up (to where the router sends it), counted
    counts_reopen: bool = False  # counted, and no longer solved on the spot
    judges_on_the_spot: bool = False  # solved by the micro-grid worker, never escalated
    judges_in_time: bool = False  # on first taking at the micro-grid: within the deadline?
    books_visit: bool = False  # keeps the visit time the mover chose
    drops_visit: bool = False
    keeps_outcome: bool = False  # the note is the case's outcome
    links: bool = False  # names the case it repeats


@dataclass(frozen=True)
class Transition:
    """From which statuses a move is allowed, the status it leads to, and its effects."""

    sources: frozenset[str]
    to: str
    effects: Effects = Effects()


@dataclass(frozen=True)
class KindRules:
    """A kind's transition table and the move its deadline sweep makes in each status."""

    kind: Kind
    transitions: Mapping[str, Transition]
    # Per waiting status, the move made when a case is past due: a climbing move (waiting
    # for the grid) or a closing one (waiting for the resident).
    sweep_moves: Mapping[str, str]

    def transition(self, move: str) -> Transition:
        """The transition of `move` (KeyError for a move this kind does not know)."""
        return self.transitions[move]

    def sweep_move(self, status: str) -> str:
        """The move the deadline sweep makes on a case past due in `status`."""
        return self.sweep_moves[status]


class CaseRecord(BaseModel):
    """What every kind's detailed record (a Report, a PensionRequest) has of its case."""

    model_config = ConfigDict(frozen=True)

    id: int
    owner_staff_id: int | None
    escalations: int
    overdue: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CaseState:
    """A case as the engine sees it; kind-specific details (text, photo, person) live
    elsewhere."""

    kind: Kind
    id: int
    status: str
    level: Level | None
    unit_id: int | None
    owner_staff_id: int | None
    due_at: datetime | None
    escalations: int = 0
    overdue: bool = False
    reopens: int = 0
    solved_on_spot: bool = False
    accepted_in_time: bool | None = None
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    visit_at: datetime | None = None
    outcome: str = ""
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Mover:
    """Who makes a move: a staff member (id, level, code), the resident, or the system."""

    label: str  # 'staff:<code>', 'tg:<user id>' or 'system'
    staff_id: int | None = None
    level: Level | None = None

    @classmethod
    def system(cls) -> Mover:
        """The deadline sweep."""
        return cls("system")


@dataclass(frozen=True)
class Place:
    """Where a climbing case goes: the level and the unit there."""

    level: Level
    unit_id: int


@dataclass(frozen=True)
class Step:
    """One move with what it carries: the note, the chosen visit time, the original."""

    move: str
    by: Mover
    at: datetime
    note: str = ""
    visit_at: datetime | None = None
    duplicate_of: int | None = None
    to: Place | None = None  # required when the move climbs
    overdue: bool = False  # a deadline made the move
    action: str = ""  # the history's name when not the move's own (supervise_overdue)


class Deadlines(Protocol):
    """How long each named deadline runs at a level (from the configuration)."""

    def within(self, kind: Kind, due: Due, level: Level) -> timedelta:
        """The length of deadline `due` for a case of `kind` at `level`."""
        ...


class Forbidden(Exception):
    """A move the case's status (or place in the grid) does not allow now."""


@dataclass(frozen=True)
class CaseEvent:
    """One step of a case's history."""

    action: str
    from_status: str | None
    to_status: str
    level: Level | None
    by: Mover
    at: datetime
    note: str = ""
    visit_at: datetime | None = None


@dataclass(frozen=True)
class CaseChange:
    """A case before and after one move, and the history step it writes."""

    before: CaseState
    after: CaseState
    move: str  # '' when only the overdue flag was raised
    action: str  # the history's name: accept, escalate_overdue, overdue …
    by: Mover
    at: datetime
    note: str = ""
    visit_at: datetime | None = None

    @property
    def event(self) -> CaseEvent:
        """The history step this change writes."""
        return CaseEvent(
            action=self.action,
            from_status=self.before.status,
            to_status=self.after.status,
            level=self.after.level,
            by=self.by,
            at=self.at,
            note=self.note,
            visit_at=self.visit_at,
        )


def allowed(rules: KindRules, case: CaseState, move: str) -> bool:
    """Whether the case's status allows `move` (and, for a climbing move, a level above)."""
    transition = rules.transitions.get(move)
    if transition is None or case.status not in transition.sources:
        return False
    return not transition.effects.climbs or climb_from(case) is not None


def climb_from(case: CaseState) -> Level | None:
    """The first level a climbing case asks for; None at the town (or without a level)."""
    return case.level.parent if case.level is not None else None


def apply(rules: KindRules, case: CaseState, step: Step, deadlines: Deadlines) -> CaseChange:
    """The change `step` makes to `case`, or Forbidden when it is not allowed now."""
    if case.kind is not rules.kind:
        raise ValueError(f"{rules.kind} rules cannot move a {case.kind} case")
    if not allowed(rules, case, step.move):
        raise Forbidden(f"{step.move} is not allowed from {case.status}")
    effects = rules.transition(step.move).effects
    now = step.at
    after = replace(case, status=rules.transition(step.move).to)
    if effects.climbs:
        if step.to is None:
            raise Forbidden(f"{step.move} needs the place it climbs to")
        after = replace(
            after, level=step.to.level, unit_id=step.to.unit_id, escalations=case.escalations + 1
        )
    after = _owner(after, case, effects, step)
    stamps = {s: now for s in effects.stamp} | {s: None for s in effects.unstamp}
    after = _stamped(after, stamps)
    if effects.counts_reopen:
        after = replace(after, reopens=case.reopens + 1, solved_on_spot=False)
    if effects.judges_on_the_spot:
        on_spot = step.by.level is Level.MICRO_GRID and case.escalations == 0
        after = replace(after, solved_on_spot=on_spot)
    if effects.books_visit:
        after = replace(after, visit_at=step.visit_at)
    if effects.drops_visit:
        after = replace(after, visit_at=None)
    if effects.keeps_outcome:
        after = replace(after, outcome=step.note)
    if effects.links:
        after = replace(after, duplicate_of=step.duplicate_of)
    after = replace(after, due_at=_due(rules.kind, effects.due, after, case, now, deadlines))
    if step.overdue:
        after = replace(after, overdue=True)
    action = step.action or (f"{step.move}_overdue" if step.overdue else step.move)
    return CaseChange(
        before=case,
        after=after,
        move=step.move,
        action=action,
        by=step.by,
        at=now,
        note=step.note,
        visit_at=step.visit_at if effects.books_visit else None,
    )


def _owner(after: CaseState, case: CaseState, effects: Effects, step: Step) -> CaseState:
    takes = effects.owner is Owner.TAKE or (
        effects.owner is Owner.CLAIM and case.owner_staff_id is None
    )
    if effects.owner is Owner.RELEASE:
        return replace(after, owner_staff_id=None)
    if not takes or step.by.staff_id is None:
        return after
    after = replace(after, owner_staff_id=step.by.staff_id, accepted_at=step.at)
    if effects.judges_in_time and case.level is Level.MICRO_GRID and case.escalations == 0:
        in_time = case.due_at is None or step.at <= case.due_at
        after = replace(after, accepted_in_time=in_time)
    return after


def _stamped(case: CaseState, stamps: Mapping[Stamp, datetime | None]) -> CaseState:
    for stamp, when in stamps.items():
        if stamp is Stamp.ACCEPTED:
            case = replace(case, accepted_at=when)
        elif stamp is Stamp.RESOLVED:
            case = replace(case, resolved_at=when)
        else:
            case = replace(case, closed_at=when)
    return case


def _due(
    kind: Kind,
    due: Due,
    after: CaseState,
    before: CaseState,
    now: datetime,
    deadlines: Deadlines,
) -> datetime | None:
    if due is Due.KEEP:
        return before.due_at
    if due is Due.CLEAR or after.level is None:
        return None
    return now + deadlines.within(kind, due, after.level)


def flag_overdue(case: CaseState, at: datetime) -> CaseChange:
    """A case past due that cannot climb (it is at the town): flagged, its deadline cleared."""
    after = replace(case, overdue=True, due_at=None)
    return CaseChange(before=case, after=after, move="", action="overdue", by=Mover.system(), at=at)


def flag(case: CaseState, at: datetime, action: str) -> CaseChange:
    """A case flagged overdue by a second due time where it cannot climb (its deadline
    kept)."""
    after = replace(case, overdue=True)
    return CaseChange(before=case, after=after, move="", action=action, by=Mover.system(), at=at)


def overdue(cases: Iterable[CaseState], now: datetime) -> list[CaseState]:
    """The cases whose deadline has passed at `now`, in the order given."""
    return [c for c in cases if c.due_at is not None and c.due_at <= now]
