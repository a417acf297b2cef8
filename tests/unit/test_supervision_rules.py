"""Supervision and urging: when urging is allowed, and the sweep's second due time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import cases
from models.cases import CaseState, Kind, Mover, Place, Step
from models.reports import RULES, Status
from models.supervision import LAPSED, supervisable, urge_not_before
from models.units import Level

T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_urging_opens_at_the_accept_deadline_then_once_per_period() -> None:
    opens = T0 + timedelta(hours=4)
    assert urge_not_before(opens, None, DAY) == opens
    assert urge_not_before(opens, opens + timedelta(hours=1), DAY) == opens + timedelta(hours=25)
    # An urging recorded before the deadline (never happens) cannot open it earlier.
    assert urge_not_before(opens, T0 - DAY * 2, DAY) == opens


def test_only_reports_the_grid_works_on_are_supervised() -> None:
    assert supervisable(Status.NEW) and supervisable(Status.ACCEPTED)
    for status in (Status.RESOLVED, Status.CLOSED, Status.DUPLICATE, Status.REJECTED):
        assert not supervisable(status)


class _Deadlines:
    def within(self, kind: Kind, due: object, level: Level) -> timedelta:
        return timedelta(hours=int(level))


def _case() -> CaseState:
    return CaseState(Kind.REPORT, 7, "accepted", Level.MICRO_GRID, 40, 3, T0 + DAY)


def test_a_lapsed_supervision_climbs_under_its_own_name() -> None:
    step = Step(
        "escalate", Mover.system(), T0, overdue=True, action=LAPSED, to=Place(Level.GRID, 30)
    )
    change = cases.apply(RULES, _case(), step, _Deadlines())
    assert change.action == "supervise_overdue" and change.after.overdue
    assert change.after.level is Level.GRID and change.after.owner_staff_id is None
    assert change.after.due_at == T0 + timedelta(hours=3)


def test_a_lapsed_supervision_at_the_top_is_flagged_and_keeps_its_deadline() -> None:
    change = cases.flag(_case(), T0, LAPSED)
    assert change.after.overdue and change.after.due_at == T0 + DAY
    assert change.event.action == "supervise_overdue" and change.event.to_status == "accepted"
