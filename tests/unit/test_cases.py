"""The case model on its own: each move's effects for reports and home visits, climbing,
and which cases are overdue — no database, no clock, no Telegram."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import cases
from models.cases import CaseChange, CaseState, Due, Forbidden, Kind, Mover, Place, Step
from models.pension import RULES as VISITS
from models.pension import Move as VisitMove
from models.reports import RULES as REPORTS
from models.reports import Move
from models.units import Level

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
L4_WORKER = Mover("staff:L4", staff_id=4, level=Level.MICRO_GRID)
L3_WORKER = Mover("staff:L3", staff_id=3, level=Level.GRID)
RESIDENT = Mover("tg:500")


class Table:
    """Deadlines that name themselves: accept 4 h, resolve 48 h, confirm 72 h, visit 24 h,
    whatever the level (level 1 doubles them, to show the level is asked for)."""

    def within(self, kind: Kind, due: Due, level: Level) -> timedelta:
        hours = {Due.ACCEPT: 4, Due.RESOLVE: 48, Due.CONFIRM: 72, Due.VISIT: 24}[due]
        return timedelta(hours=hours * (2 if level is Level.TOWN else 1))


def case(kind: Kind, status: str, hours_due: int, **fields: Any) -> CaseState:
    base = CaseState(
        kind=kind,
        id=7,
        status=status,
        level=Level.MICRO_GRID,
        unit_id=40,
        owner_staff_id=None,
        due_at=NOW + hours_due * HOUR,
    )
    return replace(base, **fields)


def report(status: str = "new", **fields: Any) -> CaseState:
    return case(Kind.REPORT, status, 4, **({"due_at": None} if status != "new" else {}) | fields)


def visit(status: str = "open", **fields: Any) -> CaseState:
    return case(Kind.HOME_VISIT, status, 24, **fields)


def move_report(case: CaseState, move: Move, by: Mover = L4_WORKER, **step: Any) -> CaseChange:
    return cases.apply(REPORTS, case, Step(move, by, NOW, **step), Table())


def test_accepting_takes_the_report_and_starts_the_resolve_deadline() -> None:
    change = move_report(report(), Move.ACCEPT)
    after = change.after
    assert after.status == "accepted" and after.owner_staff_id == 4
    assert after.accepted_at == NOW and after.due_at == NOW + 48 * HOUR
    assert after.accepted_in_time is True
    assert change.action == "accept" and change.event.from_status == "new"


def test_a_late_first_acceptance_at_the_micro_grid_is_judged_late() -> None:
    late = report(due_at=NOW - HOUR)
    assert move_report(late, Move.ACCEPT).after.accepted_in_time is False


def test_acceptance_after_an_escalation_is_not_judged() -> None:
    climbed = report(level=Level.GRID, escalations=1)
    assert move_report(climbed, Move.ACCEPT, L3_WORKER).after.accepted_in_time is None


def test_resolving_a_new_report_takes_it_and_solves_it_on_the_spot() -> None:
    after = move_report(report(), Move.RESOLVE, note="fixed").after
    assert after.status == "resolved" and after.owner_staff_id == 4
    assert after.resolved_at == NOW and after.accepted_at == NOW
    assert after.solved_on_spot and after.due_at == NOW + 72 * HOUR


def test_resolving_someone_elses_report_keeps_its_owner() -> None:
    taken = report("accepted", owner_staff_id=9, due_at=NOW + HOUR)
    after = move_report(taken, Move.RESOLVE, L3_WORKER, note="done").after
    assert after.owner_staff_id == 9 and after.accepted_at is None


@pytest.mark.parametrize(
    ("by", "escalations", "on_spot"),
    [(L4_WORKER, 0, True), (L3_WORKER, 0, False), (L4_WORKER, 1, False)],
)
def test_on_the_spot_needs_the_micro_grid_worker_and_no_escalation(
    by: Mover, escalations: int, on_spot: bool
) -> None:
    case = report("accepted", owner_staff_id=by.staff_id, escalations=escalations)
    assert move_report(case, Move.RESOLVE, by, note="x").after.solved_on_spot is on_spot


def test_escalating_releases_climbs_and_counts() -> None:
    taken = report("accepted", owner_staff_id=4, due_at=NOW + HOUR)
    change = move_report(taken, Move.ESCALATE, to=Place(Level.GRID, 30))
    after = change.after
    assert (after.status, after.level, after.unit_id) == ("new", Level.GRID, 30)
    assert after.owner_staff_id is None and after.escalations == 1
    assert after.due_at == NOW + 4 * HOUR
    assert change.event.level is Level.GRID


def test_a_climb_may_skip_levels_where_the_router_sends_it() -> None:
    change = move_report(report(), Move.ESCALATE, to=Place(Level.TOWN, 1))
    assert change.after.level is Level.TOWN and change.after.due_at == NOW + 8 * HOUR


def test_a_climb_needs_a_place_and_a_level_above() -> None:
    with pytest.raises(Forbidden):
        move_report(report(), Move.ESCALATE)
    with pytest.raises(Forbidden):
        move_report(report(level=Level.TOWN), Move.ESCALATE, to=Place(Level.TOWN, 1))
    assert cases.climb_from(report(level=Level.TOWN)) is None
    assert cases.climb_from(report()) is Level.GRID


def test_reopening_counts_forgets_the_resolution_and_restarts_the_resolve_deadline() -> None:
    done = report("resolved", owner_staff_id=4, solved_on_spot=True, resolved_at=NOW - HOUR)
    after = move_report(done, Move.REOPEN, RESIDENT).after
    assert after.status == "accepted" and after.owner_staff_id == 4
    assert after.reopens == 1 and not after.solved_on_spot and after.resolved_at is None
    assert after.due_at == NOW + 48 * HOUR


def test_confirming_closes_and_the_owner_stays() -> None:
    done = report("resolved", owner_staff_id=4)
    after = move_report(done, Move.CONFIRM, RESIDENT).after
    assert after.status == "closed" and after.closed_at == NOW and after.owner_staff_id == 4


def test_an_unconfirmed_resolution_is_closed_by_the_system() -> None:
    done = report("resolved", owner_staff_id=4, due_at=NOW - HOUR)
    assert REPORTS.sweep_move("resolved") == Move.CLOSE
    assert REPORTS.sweep_move("new") == REPORTS.sweep_move("accepted") == Move.ESCALATE
    change = cases.apply(REPORTS, done, Step(Move.CLOSE, Mover.system(), NOW), Table())
    assert change.after.status == "closed" and change.after.closed_at == NOW
    assert change.after.due_at is None and not change.after.overdue and change.action == "close"
    assert not cases.allowed(REPORTS, report("accepted"), Move.CLOSE)


def test_dissatisfied_reopens_a_closed_report_counted() -> None:
    closed = report("closed", owner_staff_id=4, reopens=1, closed_at=NOW - HOUR)
    after = move_report(closed, Move.DISSATISFIED, RESIDENT).after
    assert after.status == "accepted" and after.owner_staff_id == 4 and after.reopens == 2
    assert after.closed_at is None and after.resolved_at is None
    assert after.due_at == NOW + 48 * HOUR
    assert not cases.allowed(REPORTS, report("resolved"), Move.DISSATISFIED)


def test_a_duplicate_names_its_original_and_closes() -> None:
    after = move_report(report(), Move.DUPLICATE, note="#3", duplicate_of=3).after
    assert after.status == "duplicate" and after.duplicate_of == 3
    assert after.closed_at == NOW and after.due_at is None and after.owner_staff_id is None


def test_a_move_the_status_does_not_allow_is_forbidden_and_changes_nothing() -> None:
    closed = report("closed")
    with pytest.raises(Forbidden):
        move_report(closed, Move.ACCEPT)
    assert not cases.allowed(REPORTS, closed, Move.REOPEN)
    assert not cases.allowed(REPORTS, report(), "no-such-move")


def test_a_deadline_move_is_recorded_as_overdue() -> None:
    change = cases.apply(
        REPORTS,
        report(),
        Step(Move.ESCALATE, Mover.system(), NOW, to=Place(Level.GRID, 30), overdue=True),
        Table(),
    )
    assert change.action == "escalate_overdue" and change.after.overdue
    assert change.event.by.label == "system"


def test_scheduling_a_visit_takes_it_and_keeps_the_deadline() -> None:
    when = NOW + 26 * HOUR
    change = cases.apply(
        VISITS, visit(), Step(VisitMove.SCHEDULE, L4_WORKER, NOW, visit_at=when), Table()
    )
    after = change.after
    assert after.status == "scheduled" and after.owner_staff_id == 4 and after.visit_at == when
    assert after.due_at == NOW + 24 * HOUR and change.event.visit_at == when


@pytest.mark.parametrize(("move", "status"), [(VisitMove.DONE, "done"), (VisitMove.FAIL, "failed")])
def test_a_finished_visit_keeps_its_outcome_and_closes(move: VisitMove, status: str) -> None:
    step = Step(move, L3_WORKER, NOW, note="not at home")
    after = cases.apply(VISITS, visit("scheduled", owner_staff_id=4), step, Table()).after
    assert after.status == status and after.owner_staff_id == 3
    assert after.outcome == "not at home" and after.closed_at == NOW and after.due_at is None


def test_a_late_visit_climbs_open_without_its_owner_or_time() -> None:
    booked = visit("scheduled", owner_staff_id=4, visit_at=NOW + HOUR, due_at=NOW - HOUR)
    step = Step(VisitMove.ESCALATE, Mover.system(), NOW, to=Place(Level.GRID, 30), overdue=True)
    after = cases.apply(VISITS, booked, step, Table()).after
    assert (after.status, after.level, after.unit_id) == ("open", Level.GRID, 30)
    assert after.owner_staff_id is None and after.visit_at is None
    assert after.escalations == 1 and after.overdue and after.due_at == NOW + 24 * HOUR


def test_a_finished_visit_cannot_move_again() -> None:
    with pytest.raises(Forbidden):
        cases.apply(VISITS, visit("done"), Step(VisitMove.DONE, L4_WORKER, NOW), Table())


def test_overdue_picks_the_cases_whose_deadline_has_passed() -> None:
    due_now, late, later, none = (
        report(id=1, due_at=NOW),
        visit(id=2, due_at=NOW - HOUR),
        report(id=3, due_at=NOW + HOUR),
        report("resolved", id=4, due_at=None),
    )
    assert cases.overdue([due_now, late, later, none], NOW) == [due_now, late]


def test_a_case_at_the_town_is_only_flagged_and_its_deadline_cleared() -> None:
    top = report(level=Level.TOWN, due_at=NOW - HOUR)
    change = cases.flag_overdue(top, NOW)
    assert change.after == replace(top, overdue=True, due_at=None)
    assert change.action == "overdue" and change.event.to_status == "new"


def test_a_kinds_rules_move_only_its_own_cases() -> None:
    with pytest.raises(ValueError):
        cases.apply(VISITS, report(), Step(VisitMove.DONE, L4_WORKER, NOW), Table())
