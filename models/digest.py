"""Digest figures (SPEC §1, §8): how many problems were collected, solved, still in hand.

The town reports a cohort: of the problems collected (in a period, or in total), how many
were solved on the spot, resolved after escalation, closed as duplicate or rejected, and how
many are still in progress — those split by category, and how many of them are overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from models.periods import PeriodKind, period_of
from models.reports import IN_PROGRESS, Status


class SpanKind(StrEnum):
    """The calendar periods a digest can cover."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True)
class Span:
    """A span [start, end) of the town's calendar (aware UTC datetimes) and its name."""

    kind: SpanKind
    key: str  # '2026-06-10', '2026-W24', '2026-06', '2026-Q2'
    start: datetime
    end: datetime


def span_containing(kind: SpanKind, when: datetime, tz: ZoneInfo) -> Span:
    """The whole calendar period (in the town's zone) that contains `when`."""
    found = period_of(PeriodKind(kind.value), when, tz)
    return Span(kind, found.key, found.start, found.end)


def span_to_date(kind: SpanKind, now: datetime, tz: ZoneInfo) -> Span:
    """The current calendar period, from its start until `now` (included)."""
    whole = span_containing(kind, now, tz)
    return Span(kind, whole.key, whole.start, now + timedelta(seconds=1))


def previous_span(kind: SpanKind, now: datetime, tz: ZoneInfo) -> Span:
    """The whole calendar period before the one containing `now`."""
    current = span_containing(kind, now, tz)
    return span_containing(kind, current.start - timedelta(seconds=1), tz)


class State(StrEnum):
    """Where a collected problem stands, in the town's words."""

    ON_SPOT = "on_spot"  # 就地解决: resolved by the micro-grid's own worker, no escalation
    AFTER_ESCALATION = "after_escalation"  # resolved by a higher level
    IN_PROGRESS = "in_progress"  # still being worked on (new or accepted)
    WITHDRAWN = "withdrawn"  # duplicate or rejected


def state_of(status: Status, solved_on_spot: bool) -> State:
    """The digest state of a report from its status and its on-the-spot flag."""
    if status in (Status.RESOLVED, Status.CLOSED):
        return State.ON_SPOT if solved_on_spot else State.AFTER_ESCALATION
    if status in IN_PROGRESS:
        return State.IN_PROGRESS
    return State.WITHDRAWN


@dataclass(frozen=True)
class ReportCount:
    """One aggregated row: reports of a sub-unit, category and status, in total and in period."""

    sub_id: int
    category: str
    status: Status
    solved_on_spot: bool
    overdue: bool
    total: int
    in_period: int
    # Of those, filed for a household by its worker on a visit (走访收集).
    on_visits: int = 0
    on_visits_in_period: int = 0


@dataclass
class Tally:
    """The town's figures for one cohort of collected problems."""

    collected: int = 0
    on_spot: int = 0
    after_escalation: int = 0
    in_progress: int = 0
    withdrawn: int = 0
    overdue: int = 0  # in progress and past a deadline
    on_visits: int = 0  # collected on visits (代报 from a visit), counted separately
    collected_by_category: dict[str, int] = field(default_factory=dict)
    in_progress_by_category: dict[str, int] = field(default_factory=dict)

    def add(
        self, category: str, state: State, overdue: bool, count: int, on_visits: int = 0
    ) -> None:
        """Count `count` reports of one category and state (`on_visits` of them collected on
        visits)."""
        if count <= 0:
            return
        self.collected += count
        self.on_visits += on_visits
        by = self.collected_by_category
        by[category] = by.get(category, 0) + count
        if state is State.ON_SPOT:
            self.on_spot += count
        elif state is State.AFTER_ESCALATION:
            self.after_escalation += count
        elif state is State.WITHDRAWN:
            self.withdrawn += count
        else:
            self.in_progress += count
            ip = self.in_progress_by_category
            ip[category] = ip.get(category, 0) + count
            if overdue:
                self.overdue += count

    @property
    def solved(self) -> int:
        """Solved on the spot or after escalation."""
        return self.on_spot + self.after_escalation


@dataclass
class ReportFigures:
    """Figures of a unit: for the period and in total, overall and per sub-unit."""

    period: Tally = field(default_factory=Tally)
    total: Tally = field(default_factory=Tally)
    sub_period: dict[int, Tally] = field(default_factory=dict)
    sub_total: dict[int, Tally] = field(default_factory=dict)
    category_period: dict[str, Tally] = field(default_factory=dict)
    category_total: dict[str, Tally] = field(default_factory=dict)


def report_figures(rows: Iterable[ReportCount], sub_ids: Iterable[int] = ()) -> ReportFigures:
    """Add aggregated rows up into the digest's figures (every listed sub-unit appears)."""
    figures = ReportFigures()
    for sub in sub_ids:
        figures.sub_period[sub] = Tally()
        figures.sub_total[sub] = Tally()
    for row in rows:
        state = state_of(row.status, row.solved_on_spot)
        late = row.overdue and state is State.IN_PROGRESS
        visits, visits_now = row.on_visits, row.on_visits_in_period
        figures.total.add(row.category, state, late, row.total, visits)
        figures.period.add(row.category, state, late, row.in_period, visits_now)
        figures.sub_total.setdefault(row.sub_id, Tally()).add(
            row.category, state, late, row.total, visits
        )
        figures.sub_period.setdefault(row.sub_id, Tally()).add(
            row.category, state, late, row.in_period, visits_now
        )
        figures.category_total.setdefault(row.category, Tally()).add(
            row.category, state, late, row.total
        )
        figures.category_period.setdefault(row.category, Tally()).add(
            row.category, state, late, row.in_period
        )
    return figures


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return part / whole if whole else None
