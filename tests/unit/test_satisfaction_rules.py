"""The call-back's pure rules: what an answer does, and the satisfaction rate."""

from __future__ import annotations

from models.assessment import WorkerFigures, score
from models.satisfaction import Outcome, Rating, Tally, outcome, who_of


def test_only_a_dissatisfied_answer_on_a_closed_report_moves_it() -> None:
    assert outcome(Rating.SATISFIED, 0, 2, True) is Outcome.RECORDED
    assert outcome(Rating.FAIR, 5, 2, True) is Outcome.RECORDED
    assert outcome(Rating.DISSATISFIED, 1, 2, True) is Outcome.REOPENED
    assert outcome(Rating.DISSATISFIED, 2, 2, True) is Outcome.SUPERVISION
    assert outcome(Rating.DISSATISFIED, 0, 0, True) is Outcome.SUPERVISION
    # Already reopened by someone else's answer: only recorded.
    assert outcome(Rating.DISSATISFIED, 0, 2, False) is Outcome.RECORDED


def test_the_rate_counts_satisfied_and_fair_over_answers() -> None:
    tally = Tally().plus(Rating.SATISFIED, 3).plus(Rating.FAIR).plus(Rating.DISSATISFIED)
    assert (tally.answered, tally.content, tally.rate) == (5, 4, 0.8)
    assert Tally().rate is None
    assert (tally + tally).answered == 10


def test_affected_are_counted_by_household_else_by_person() -> None:
    assert who_of(12, 900) == "hh:12" and who_of(None, 900) == "tg:900"


def test_the_score_averages_satisfaction_as_one_more_share() -> None:
    worker = WorkerFigures(1, "L4A", "张", 4, 1, contact_share=1.0, visit_share=0.5)
    worker.satisfaction = Tally(satisfied=1, dissatisfied=1)
    assert score(worker) == (1.0 + 0.5 + 0.5) / 3
    assert score(worker, judge_reports=False) == 0.75
