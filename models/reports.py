"""Reports: the status model of SPEC §5.3 as a pure state machine.

    new → accepted → resolved → closed
    new/accepted --escalate--> new (one level up: L4 → L3 → L2 → L1)
    resolved --reopen--> accepted (same owner, counted)
    resolved --close--> closed (the sweep, when the resident does not answer in time)
    closed --dissatisfied--> accepted (the call-back's 不满意: a reopen, counted)
    new/accepted --duplicate--> duplicate ; --reject--> rejected
A worker may resolve a new report directly (taking it and solving it in one go).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

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
    CLOSE = "close"  # only the deadline sweep
    DISSATISFIED = "dissatisfied"  # only the satisfaction call-back
    # A report filed for a household without a linked resident: the worker records what
    # the household said (confirmed on the household's word / says it is not solved).
    HOUSEHOLD_CONFIRM = "household_confirm"
    HOUSEHOLD_REOPEN = "household_reopen"


STAFF_MOVES = frozenset({Move.ACCEPT, Move.RESOLVE, Move.ESCALATE, Move.DUPLICATE, Move.REJECT})
RESIDENT_MOVES = frozenset({Move.CONFIRM, Move.REOPEN})
HOUSEHOLD_WORD_MOVES = frozenset({Move.HOUSEHOLD_CONFIRM, Move.HOUSEHOLD_REOPEN})
# Moves that need a short note from the worker.
NEEDS_NOTE = frozenset({Move.RESOLVE, Move.REJECT, Move.DUPLICATE})

_TAKEN = frozenset({Status.NEW, Status.ACCEPTED})
_CLOSES = Effects(due=Due.CLEAR, stamp=frozenset({Stamp.CLOSED}))
_REOPENS = Effects(
    due=Due.RESOLVE, unstamp=frozenset({Stamp.RESOLVED, Stamp.CLOSED}), counts_reopen=True
)

RULES = KindRules(
    kind=Kind.REPORT,
    transitions={
        Move.ACCEPT: Transition(
            frozenset({Status.NEW}),
            Status.ACCEPTED,
            Effects(owner=Owner.TAKE, due=Due.RESOLVE, judges_in_time=True),
        ),
        # A new report resolved at once is taken and solved in one go.
        Move.RESOLVE: Transition(
            _TAKEN,
            Status.RESOLVED,
            Effects(
                owner=Owner.CLAIM,
                due=Due.CONFIRM,
                stamp=frozenset({Stamp.RESOLVED}),
                judges_in_time=True,
                judges_on_the_spot=True,
            ),
        ),
        Move.ESCALATE: Transition(
            _TAKEN, Status.NEW, Effects(owner=Owner.RELEASE, due=Due.ACCEPT, climbs=True)
        ),
        Move.CONFIRM: Transition(frozenset({Status.RESOLVED}), Status.CLOSED, _CLOSES),
        Move.REOPEN: Transition(frozenset({Status.RESOLVED}), Status.ACCEPTED, _REOPENS),
        # A report filed for a household: its worker records the household's word.
        Move.HOUSEHOLD_CONFIRM: Transition(frozenset({Status.RESOLVED}), Status.CLOSED, _CLOSES),
        Move.HOUSEHOLD_REOPEN: Transition(frozenset({Status.RESOLVED}), Status.ACCEPTED, _REOPENS),
        Move.DUPLICATE: Transition(_TAKEN, Status.DUPLICATE, replace(_CLOSES, links=True)),
        Move.REJECT: Transition(_TAKEN, Status.REJECTED, _CLOSES),
        Move.CLOSE: Transition(frozenset({Status.RESOLVED}), Status.CLOSED, _CLOSES),
        Move.DISSATISFIED: Transition(frozenset({Status.CLOSED}), Status.ACCEPTED, _REOPENS),
    },
    # Waiting for the grid, a late report climbs; waiting for the resident, it is closed.
    sweep_moves={
        Status.NEW: Move.ESCALATE,
        Status.ACCEPTED: Move.ESCALATE,
        Status.RESOLVED: Move.CLOSE,
    },
)


class Report(CaseRecord):
    """A filed report as the rules see it."""

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
    reopen_count: int
    solved_on_spot: bool
    duplicate_of: int | None
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    confirm_due_at: datetime | None = None
    supervision_wanted: bool = False
    # 代报: filed for the household by this worker (reporter_tg_id is then 0), and where the
    # problem was collected ('visit', 'contact' or None).
    recorded_by_staff_id: int | None = None
    collected_on: str | None = None
    town_id: int | None = None
    town_seq: int = 0  # the number within its town (0: not known, the id stands in)
    duplicate_seq: int = 0  # the number of the report it duplicates, within the town
    town_short: str = ""  # its town's prefix, for numbers seen outside the town (DTY)
    tagged: bool = False  # shown with the town's prefix (to the county: DTY-178)
    top: Level = Level.TOWN  # the highest level it may climb to (the county, when allowed)

    @property
    def for_household(self) -> bool:
        """Whether a worker filed it for the household (the household is the reporter)."""
        return self.recorded_by_staff_id is not None

    @property
    def number(self) -> str:
        """The number people see: #178 inside its town, DTY-178 where it is `tagged`."""
        return report_number(self.town_seq or self.id, self.town_short, self.tagged)

    @property
    def duplicate_number(self) -> str:
        """The number of the report this one duplicates (same town, same form)."""
        seq = self.duplicate_seq or self.duplicate_of or 0
        return report_number(seq, self.town_short, self.tagged)

    def as_tagged(self) -> Report:
        """The same report, numbered with its town's prefix (for the county's eyes)."""
        return self.model_copy(update={"tagged": True})

    def seen_by(self, viewer: Level | None) -> Report:
        """The same report, numbered as a viewer at level `viewer` (None: a resident or a
        group) sees it (`county_form`)."""
        tagged = county_form(viewer)
        return self if tagged == self.tagged else self.model_copy(update={"tagged": tagged})

    @property
    def is_open(self) -> bool:
        """Whether the report still needs someone."""
        return self.status in OPEN


def county_form(viewer: Level | None) -> bool:
    """The one rule for the form of report numbers: a county cadre (above every town) sees
    the county form, `DTY-178`, wherever the report is shown to them (boards, /status,
    digests, supervision prompts, cards); everyone inside a town (its staff, its residents,
    its groups: `viewer` None) sees `#178`."""
    return viewer is Level.COUNTY


def report_number(seq: int, town_short: str, county: bool) -> str:
    """A report's number in one form: `DTY-178` (county form, when the town has a prefix)
    or `#178`."""
    return f"{town_short}-{seq}" if county and town_short else f"#{seq}"


_NUMBER = re.compile(r"(?:([A-Za-z0-9]{1,8})-|#)?([0-9]{1,18})")


@dataclass(frozen=True)
class Number:
    """A report number as typed: `178`, `#178`, or with a town's prefix, `DTY-178`."""

    seq: int
    prefix: str | None = None

    def __str__(self) -> str:
        return f"{self.prefix.upper()}-{self.seq}" if self.prefix else f"#{self.seq}"


def parse_number(text: str) -> Number | None:
    """The report number in `text`, or None when it is not one."""
    found = _NUMBER.fullmatch(text.strip())
    if found is None:
        return None
    return Number(seq=int(found[2]), prefix=found[1].upper() if found[1] else None)


def target(report: Report, move: Move) -> tuple[Status, Level]:
    """The status and the first level asked for after `move`, or Forbidden when it is not
    allowed now."""
    transition = RULES.transition(move)
    if report.status not in transition.sources:
        raise Forbidden(f"{move} is not allowed from {report.status}")
    if transition.effects.climbs:
        parent = report.level.up_to(report.top)
        if parent is None:
            raise Forbidden("a report at its top level cannot be escalated further")
        return Status(transition.to), parent
    return Status(transition.to), report.level


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


def household_word_may(report: Report, move: Move, who: Handler, answers: bool) -> bool:
    """Whether this staff member may record the household's word on a report filed for it:
    only when no resident answers for the household (`answers` False), and only staff who
    cover the report's micro-grid."""
    return move in HOUSEHOLD_WORD_MOVES and report.for_household and who.covers and not answers


def resident_may(
    report: Report, move: Move, tg_user_id: int, household_resident: int | None = None
) -> bool:
    """Whether this resident may make `move`: only the reporter confirms or reopens; for a
    report filed for a household, the resident linked to it (`household_resident`)."""
    if move not in RESIDENT_MOVES:
        return False
    if report.for_household:
        return household_resident is not None and tg_user_id == household_resident
    return tg_user_id == report.reporter_tg_id
