"""Pure household rules: periods and typed dates, outcomes, check-in placement, masking, and
which reminder run is due (schedule, quiet hours, catch-up)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
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
from models.reminders import QuietHours, ReminderKind, due_occurrence, occurrence_key
from models.units import Level, Unit

TZ = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours(time(21), time(8), TZ)
MONTHLY = ("0 10 20,last * *",)
QUARTERLY = ("0 9 1 3,6,9,12 *", "0 9 17-31 3,6,9,12 mon")


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


def test_due_occurrence_on_schedule_and_only_the_latest() -> None:
    due = due_occurrence(
        ReminderKind.MONTHLY_CONTACT, MONTHLY, TZ, QUIET, local(2026, 6, 20, 10, 0)
    )
    assert due is not None and occurrence_key(due[0], TZ) == "2026-06-20T10:00"
    assert due[1].key == "2026-06"
    early = due_occurrence(
        ReminderKind.MONTHLY_CONTACT, MONTHLY, TZ, QUIET, local(2026, 6, 20, 9, 59, 30)
    )  # a job firing a moment early
    assert early is not None and early[0] == local(2026, 6, 20, 10, 0)
    assert (
        due_occurrence(ReminderKind.MONTHLY_CONTACT, MONTHLY, TZ, QUIET, local(2026, 6, 19, 10, 0))
        is None
    )
    late = due_occurrence(
        ReminderKind.MONTHLY_CONTACT, MONTHLY, TZ, QUIET, local(2026, 7, 31, 15, 0)
    )
    assert late is not None and late[0] == local(2026, 7, 31, 10, 0)  # not the 20th too
    assert (
        due_occurrence(ReminderKind.MONTHLY_CONTACT, MONTHLY, TZ, QUIET, local(2026, 8, 2, 10, 0))
        is None
    )  # July's runs stay in July


def test_quarterly_schedule() -> None:
    def key(at: datetime) -> str | None:
        due = due_occurrence(ReminderKind.QUARTERLY_VISIT, QUARTERLY, TZ, QUIET, at)
        return occurrence_key(due[0], TZ) if due else None

    assert key(local(2026, 5, 30, 12, 0)) is None
    assert key(local(2026, 6, 1, 9, 0)) == "2026-06-01T09:00"
    assert key(local(2026, 6, 16, 12, 0)) == "2026-06-01T09:00"
    assert key(local(2026, 6, 22, 9, 0)) == "2026-06-22T09:00"
    assert key(local(2026, 6, 29, 9, 0)) == "2026-06-29T09:00"
    assert key(local(2026, 7, 1, 9, 0)) is None


def test_quiet_hours() -> None:
    late = ("30 22 20 * *",)
    assert (
        due_occurrence(ReminderKind.MONTHLY_CONTACT, late, TZ, QUIET, local(2026, 6, 20, 22, 30))
        is None
    )
    assert (
        due_occurrence(ReminderKind.MONTHLY_CONTACT, late, TZ, QUIET, local(2026, 6, 21, 7, 59))
        is None
    )
    morning = due_occurrence(
        ReminderKind.MONTHLY_CONTACT, late, TZ, QUIET, local(2026, 6, 21, 8, 0)
    )
    assert morning is not None and morning[0] == local(2026, 6, 20, 22, 30)
    assert QUIET.after(local(2026, 6, 20, 22, 30)) == local(2026, 6, 21, 8, 0)
    assert QUIET.after(local(2026, 6, 21, 3, 0)) == local(2026, 6, 21, 8, 0)
    assert QUIET.after(local(2026, 6, 21, 9, 0)) == local(2026, 6, 21, 9, 0)
    daytime = QuietHours(time(12), time(14), TZ)
    assert local(2026, 6, 1, 13) in daytime and local(2026, 6, 1, 14) not in daytime
    assert local(2026, 6, 1, 3) not in QuietHours(time(8), time(8), TZ)


def test_weekly_and_pension_periods() -> None:
    friday = due_occurrence(
        ReminderKind.WEEKLY_CHECKIN,
        ("0 9 * * 5",),
        TZ,
        QUIET,
        local(2026, 6, 12, 9, 0) + timedelta(hours=3),
    )
    assert friday is not None and friday[0].astimezone(TZ).weekday() == 4
    assert friday[1].key == "2026-W24"
    assert (
        due_occurrence(
            ReminderKind.WEEKLY_CHECKIN, ("0 9 * * fri",), TZ, QUIET, local(2026, 6, 15, 9, 0)
        )
        is None
    )  # a new week, Friday to come
    assert due_occurrence(ReminderKind.PENSION, (), TZ, QUIET, local(2026, 6, 1, 9)) is None
