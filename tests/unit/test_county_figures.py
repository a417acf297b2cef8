"""A county's figures from its towns': compliance reduced town by town, towns compared."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from models.assessment import WorkerFigures, rank, town_score
from models.compliance import Compliance, Rate, merge_towns
from models.compliance import WorkerFigures as Worker
from models.contacts import Household
from models.periods import month_of, quarter_of, week_of
from models.units import Level, Unit
from tests.county_summary import town_summary

AT = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


def _unit(uid: int, level: Level, name: str) -> Unit:
    ancestors: list[int | None] = [None] * 5
    ancestors[0] = 1
    ancestors[level] = uid
    return Unit(
        id=uid, code=f"U{uid}", name=name, level=level, parent_id=1, ancestors=tuple(ancestors)
    )


def _worker(code: str, done: int, total: int) -> Worker:
    house = Household(
        id=hash(code) % 10_000, code=f"H-{code}", micro_grid_id=1, head_name="户主", address=""
    )
    return Worker(
        staff_id=hash(code) % 100_000,
        code=code,
        name=code,
        unit_ids=(1,),
        contacts=Rate(done=done, total=total),
        visits=Rate(done=done, total=total),
        due_contact=(house,) * (total - done),
        due_visit=(house,) * (total - done),
    )


def _town(uid: int, name: str, workers: list[Worker]) -> Compliance:
    return Compliance(
        unit=_unit(uid, Level.TOWN, name),
        at=AT,
        month=month_of(AT, TZ),
        quarter=quarter_of(AT, TZ),
        week=week_of(AT, TZ),
        contacts=Rate(
            done=sum(w.contacts.done for w in workers), total=sum(w.contacts.total for w in workers)
        ),
        visits=Rate(
            done=sum(w.visits.done for w in workers), total=sum(w.visits.total for w in workers)
        ),
        by_unit=(),
        by_worker=tuple(workers),
        checkins=(),
        due_contact=tuple(h for w in workers for h in w.due_contact),
        due_visit=(),
    )


def test_a_county_keeps_each_towns_totals_and_only_its_extreme_workers() -> None:
    first = _town(2, "大屯营镇", [_worker(f"A{i:02d}", i, 10) for i in range(11)])
    second = _town(3, "黄沙坪镇", [_worker("B1", 10, 10), _worker("B2", 0, 4)])
    towns = [town_summary(first, keep=2), town_summary(second, keep=2)]
    assert towns[0].due_contact == () and all(w.due_contact == () for w in towns[0].by_worker)
    assert [w.code for w in towns[0].by_worker] == ["A00", "A01", "A09", "A10"]
    county = merge_towns(_unit(1, Level.COUNTY, "云溪县"), towns)
    assert county.contacts == Rate(done=sum(range(11)) + 10, total=110 + 14)
    assert [(u.name, u.contacts) for u in county.by_unit] == [
        ("大屯营镇", Rate(done=55, total=110)),
        ("黄沙坪镇", Rate(done=10, total=14)),
    ]
    # Ten of the first town's workers and one of the second's are behind.
    assert county.workers_behind == 11
    assert {w.code for w in county.by_worker} == {"A00", "A01", "A09", "A10", "B1", "B2"}


def test_towns_are_scored_by_the_mean_of_their_ranked_workers() -> None:
    def worker(code: str, contact: float) -> WorkerFigures:
        return WorkerFigures(
            staff_id=hash(code) % 1000,
            code=code,
            name=code,
            level=4,
            group_id=7,
            contact_share=contact,
            visit_share=contact,
            handled=5,
        )

    ranking = rank([worker("A", 1.0), worker("B", 0.5), worker("C", 0.0)], min_reports=3)[7]
    scored = town_score(7, ranking)
    # No report was accepted or resolved, so each score is mean(contact, visit) = contact.
    assert scored.ranked == 3 and scored.too_few == 0
    assert scored.average == pytest.approx(0.5)
