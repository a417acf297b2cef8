"""Pure household rules: periods and typed dates, outcomes, check-in placement, masking
(which scheduled run is due: tests/unit/test_schedule.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.contacts import LogKind, Outcome, distance_m, fulfils, mask_address, place_checkin
from models.errors import Refusal
from models.periods import (
    check_happened_on,
    happened_at,
    month_of,
    parse_day,
    quarter_of,
    week_of,
)
from models.units import Level, Unit

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def test_periods_in_the_town_zone() -> None:
    at = local(2026, 12, 31, 23, 30)
    assert month_of(at, TZ).key == "2026-12" and month_of(at, TZ).end == local(2027, 1, 1)
    assert quarter_of(at, TZ).key == "2026-Q4" and quarter_of(at, TZ).start == local(2026, 10, 1)
    assert week_of(local(2026, 6, 14, 23, 59), TZ).key == "2026-W24"
    assert week_of(local(2026, 6, 15, 0, 0), TZ).start == local(2026, 6, 15)
    assert week_of(local(2027, 1, 1), TZ).key == "2026-W53"


@pytest.mark.parametrize(
    "text, day",
    [
        ("2026-06-08", date(2026, 6, 8)),
        ("06-08", date(2026, 6, 8)),
        ("6-8", date(2026, 6, 8)),
        ("2026/6/8", date(2026, 6, 8)),
        ("2026年6月8日", date(2026, 6, 8)),
        ("6月8日", date(2026, 6, 8)),
        (" 2026.06.08 ", date(2026, 6, 8)),
        ("02-30", None),
        ("昨天", None),
        ("2026-6", None),
    ],
)
def test_typed_dates(text: str, day: date | None) -> None:
    assert parse_day(text, date(2026, 6, 10)) == day


def test_dates_allowed_within_the_quarter_and_not_in_the_future() -> None:
    now = local(2026, 6, 10, 10, 0)
    check_happened_on(date(2026, 4, 1), now, TZ)
    check_happened_on(date(2026, 6, 10), now, TZ)
    with pytest.raises(Refusal) as future:
        check_happened_on(date(2026, 6, 11), now, TZ)
    assert future.value.key == "households.date_future"
    with pytest.raises(Refusal) as early:
        check_happened_on(date(2026, 3, 31), now, TZ)
    assert early.value.key == "households.date_too_early"
    assert happened_at(date(2026, 6, 10), now, TZ) == now
    assert happened_at(date(2026, 6, 1), now, TZ) == local(2026, 6, 1, 12, 0)


def test_what_each_outcome_fulfils() -> None:
    assert fulfils(LogKind.VISIT, Outcome.MET) == (True, True)
    assert fulfils(LogKind.VISIT, Outcome.NOT_HOME) == (False, False)
    for outcome in (Outcome.PHONE, Outcome.MESSAGE, Outcome.IN_PERSON):
        assert fulfils(LogKind.CONTACT, outcome) == (True, False)
    with pytest.raises(ValueError):
        fulfils(LogKind.CONTACT, Outcome.MET)


def _unit(uid: int, lat: float | None, radius: float | None) -> Unit:
    return Unit(
        id=uid,
        code=f"U{uid}",
        name=f"U{uid}",
        level=Level.MICRO_GRID,
        parent_id=None,
        ancestors=(None, None, None, uid),
        center_lat=lat,
        center_lon=112.5 if lat else None,
        radius_m=radius,
    )


def test_checkin_placement() -> None:
    assert 1100 < distance_m(28.2, 112.5, 28.21, 112.5) < 1125
    near, far = _unit(1, 28.2, 150), _unit(2, 28.3, 150)
    inside = place_checkin([near, far], 28.2005, 112.5, 500)
    assert (inside.unit_id, inside.flagged) == (1, False) and inside.distance_m < 100
    outside = place_checkin([near, far], 28.25, 112.5, 500)
    assert outside.flagged and outside.distance_m > 5000
    nowhere = place_checkin([_unit(3, None, None)], 40.0, 116.0, 500)
    assert (nowhere.unit_id, nowhere.flagged, nowhere.distance_m) == (3, False, None)


def test_masked_addresses() -> None:
    assert mask_address("大屯营村益家冲组12号") == "大屯营村益家***"
    assert mask_address("M1组2号") == "M1组**"
    assert mask_address("") == "" and mask_address("甲") == "*"
