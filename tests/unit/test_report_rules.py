"""The report status model: every allowed and every forbidden transition, and who may move."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.reports import (
    RULES,
    Forbidden,
    Handler,
    Move,
    Report,
    Status,
    household_word_may,
    resident_may,
    staff_may,
    target,
)
from models.units import Level

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def report(
    status: Status = Status.NEW,
    level: Level = Level.MICRO_GRID,
    owner: int | None = None,
    escalations: int = 0,
) -> Report:
    return Report(
        id=7,
        micro_grid_id=1,
        category="other",
        description="x",
        photo_file_id=None,
        reporter_tg_id=500,
        reporter_name="王",
        household_id=None,
        source_chat_id=-1,
        source_message_id=3,
        status=status,
        level=level,
        unit_id=1,
        owner_staff_id=owner,
        escalations=escalations,
        reopen_count=0,
        solved_on_spot=False,
        overdue=False,
        duplicate_of=None,
        accept_due_at=None,
        resolve_due_at=None,
        created_at=NOW,
        updated_at=NOW,
    )


EXPECTED = {
    (Status.NEW, Move.ACCEPT): Status.ACCEPTED,
    (Status.NEW, Move.RESOLVE): Status.RESOLVED,
    (Status.NEW, Move.ESCALATE): Status.NEW,
    (Status.NEW, Move.DUPLICATE): Status.DUPLICATE,
    (Status.NEW, Move.REJECT): Status.REJECTED,
    (Status.ACCEPTED, Move.RESOLVE): Status.RESOLVED,
    (Status.ACCEPTED, Move.ESCALATE): Status.NEW,
    (Status.ACCEPTED, Move.DUPLICATE): Status.DUPLICATE,
    (Status.ACCEPTED, Move.REJECT): Status.REJECTED,
    (Status.RESOLVED, Move.CONFIRM): Status.CLOSED,
    (Status.RESOLVED, Move.REOPEN): Status.ACCEPTED,
    (Status.RESOLVED, Move.CLOSE): Status.CLOSED,
    (Status.CLOSED, Move.DISSATISFIED): Status.ACCEPTED,
    # A report filed for a household: its worker records the household's word.
    (Status.RESOLVED, Move.HOUSEHOLD_CONFIRM): Status.CLOSED,
    (Status.RESOLVED, Move.HOUSEHOLD_REOPEN): Status.ACCEPTED,
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("move", list(Move))
def test_every_transition(status: Status, move: Move) -> None:
    r = report(status)
    if (status, move) in EXPECTED:
        to, level = target(r, move)
        assert to is EXPECTED[(status, move)]
        assert level is (Level.GRID if move is Move.ESCALATE else Level.MICRO_GRID)
    else:
        with pytest.raises(Forbidden):
            target(r, move)


def test_the_table_is_exactly_the_expected_one() -> None:
    allowed = {(s, m): t.to for m, t in RULES.transitions.items() for s in t.sources}
    assert allowed == EXPECTED


def test_escalation_climbs_one_level_at_a_time_and_stops_at_the_town() -> None:
    assert target(report(level=Level.MICRO_GRID), Move.ESCALATE)[1] is Level.GRID
    assert target(report(level=Level.GRID), Move.ESCALATE)[1] is Level.VILLAGE
    assert target(report(level=Level.VILLAGE), Move.ESCALATE)[1] is Level.TOWN
    with pytest.raises(Forbidden):
        target(report(level=Level.TOWN), Move.ESCALATE)


def test_staff_act_only_within_their_subtree_and_at_or_above_the_reports_level() -> None:
    new_l3 = report(level=Level.GRID)
    assert staff_may(new_l3, Move.ACCEPT, Handler(1, Level.GRID, covers=True))
    assert staff_may(new_l3, Move.ACCEPT, Handler(1, Level.VILLAGE, covers=True))
    assert not staff_may(new_l3, Move.ACCEPT, Handler(1, Level.MICRO_GRID, covers=True))
    assert not staff_may(new_l3, Move.ACCEPT, Handler(1, Level.GRID, covers=False))
    assert not staff_may(new_l3, Move.CONFIRM, Handler(1, Level.GRID, covers=True))


def test_an_accepted_report_belongs_to_its_owner_and_those_above() -> None:
    taken = report(Status.ACCEPTED, level=Level.GRID, owner=5)
    assert staff_may(taken, Move.RESOLVE, Handler(5, Level.GRID, covers=True))
    assert not staff_may(taken, Move.RESOLVE, Handler(6, Level.GRID, covers=True))
    assert staff_may(taken, Move.RESOLVE, Handler(9, Level.VILLAGE, covers=True))


def test_only_the_reporter_confirms_or_reopens() -> None:
    done = report(Status.RESOLVED)
    assert resident_may(done, Move.CONFIRM, 500) and resident_may(done, Move.REOPEN, 500)
    assert not resident_may(done, Move.CONFIRM, 501)
    assert not resident_may(done, Move.ACCEPT, 500)
    # The system closes; the call-back reopens: neither is a resident's button.
    assert not resident_may(done, Move.CLOSE, 500)
    assert not resident_may(report(Status.CLOSED), Move.DISSATISFIED, 500)
    assert not staff_may(done, Move.CLOSE, Handler(1, Level.MICRO_GRID, covers=True))


def test_a_report_filed_for_a_household_is_answered_by_its_resident_or_its_worker() -> None:
    done = report(Status.RESOLVED).model_copy(
        update={"reporter_tg_id": 0, "household_id": 3, "recorded_by_staff_id": 9}
    )
    # The linked resident answers; nobody does when there is none (then the worker does).
    assert resident_may(done, Move.CONFIRM, 600, household_resident=600)
    assert not resident_may(done, Move.CONFIRM, 601, household_resident=600)
    assert not resident_may(done, Move.REOPEN, 0, household_resident=None)
    worker = Handler(9, Level.MICRO_GRID, covers=True)
    assert household_word_may(done, Move.HOUSEHOLD_CONFIRM, worker, answers=False)
    assert not household_word_may(done, Move.HOUSEHOLD_CONFIRM, worker, answers=True)
    elsewhere = Handler(8, Level.MICRO_GRID, covers=False)
    assert not household_word_may(done, Move.HOUSEHOLD_REOPEN, elsewhere, answers=False)
    # Never on a resident's own report, and never a staff move.
    assert not household_word_may(report(Status.RESOLVED), Move.HOUSEHOLD_CONFIRM, worker, False)
    assert not staff_may(done, Move.HOUSEHOLD_CONFIRM, worker)
