"""The one rule for every scheduled send: which occurrence is due (on time, early by a moment,
caught up after downtime while its period lasts, quiet hours for reminders)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.crontab import cron_trigger, schedule_trigger
from models.periods import PeriodKind, day_of
from models.schedule import Occurrence, QuietHours, due_occurrence

TZ = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours(time(21), time(8), TZ)
MONTHLY = schedule_trigger(("0 10 20,last * *",), TZ)
QUARTERLY = schedule_trigger(("0 9 1 3,6,9,12 *", "0 9 17-31 3,6,9,12 mon"), TZ)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def monthly(now: datetime, quiet: QuietHours | None = QUIET) -> Occurrence | None:
    return due_occurrence(MONTHLY, PeriodKind.MONTH, TZ, now, quiet)


def test_due_on_schedule_and_only_the_latest() -> None:
    due = monthly(local(2026, 6, 20, 10, 0))
    assert due is not None and due.key(TZ) == "2026-06-20T10:00" and due.period.key == "2026-06"
    early = monthly(local(2026, 6, 20, 9, 59, 30))  # a job firing a moment early
    assert early is not None and early.at == local(2026, 6, 20, 10, 0)
    assert monthly(local(2026, 6, 20, 9, 58)) is None  # not that early
    assert monthly(local(2026, 6, 19, 10, 0)) is None
    late = monthly(local(2026, 7, 31, 15, 0))
    assert late is not None and late.at == local(2026, 7, 31, 10, 0)  # not the 20th too
    assert monthly(local(2026, 8, 2, 10, 0)) is None  # July's runs stay in July


def test_a_missed_occurrence_is_caught_up_while_its_period_lasts() -> None:
    # Down from the 19th to the 28th: the 20th's run is the one due when back.
    back = monthly(local(2026, 6, 28, 15, 0))
    assert back is not None and back.key(TZ) == "2026-06-20T10:00"
    assert back.period.end == local(2026, 7, 1)
    assert monthly(local(2026, 6, 30, 23, 59), quiet=None) is not None
    assert monthly(local(2026, 7, 1, 0, 0), quiet=None) is None


def test_quarterly_schedule() -> None:
    def key(at: datetime) -> str | None:
        due = due_occurrence(QUARTERLY, PeriodKind.QUARTER, TZ, at, QUIET)
        return due.key(TZ) if due else None

    assert key(local(2026, 5, 30, 12, 0)) is None
    assert key(local(2026, 6, 1, 9, 0)) == "2026-06-01T09:00"
    assert key(local(2026, 6, 16, 12, 0)) == "2026-06-01T09:00"
    assert key(local(2026, 6, 22, 9, 0)) == "2026-06-22T09:00"
    assert key(local(2026, 6, 29, 9, 0)) == "2026-06-29T09:00"
    assert key(local(2026, 7, 1, 9, 0)) is None


def test_quiet_hours_hold_an_occurrence_until_they_end() -> None:
    late = schedule_trigger(("30 22 20 * *",), TZ)

    def due(at: datetime) -> Occurrence | None:
        return due_occurrence(late, PeriodKind.MONTH, TZ, at, QUIET)

    assert due(local(2026, 6, 20, 22, 30)) is None
    assert due(local(2026, 6, 21, 7, 59)) is None
    morning = due(local(2026, 6, 21, 8, 0))
    assert morning is not None and morning.at == local(2026, 6, 20, 22, 30)
    # Without quiet hours (digests) the same occurrence is due at once.
    now = due_occurrence(late, PeriodKind.MONTH, TZ, local(2026, 6, 20, 22, 30))
    assert now is not None and now.at == local(2026, 6, 20, 22, 30)
    assert QUIET.after(local(2026, 6, 20, 22, 30)) == local(2026, 6, 21, 8, 0)
    assert QUIET.after(local(2026, 6, 21, 3, 0)) == local(2026, 6, 21, 8, 0)
    assert QUIET.after(local(2026, 6, 21, 9, 0)) == local(2026, 6, 21, 9, 0)
    daytime = QuietHours(time(12), time(14), TZ)
    assert local(2026, 6, 1, 13) in daytime and local(2026, 6, 1, 14) not in daytime
    assert local(2026, 6, 1, 3) not in QuietHours(time(8), time(8), TZ)


def test_weekly_period() -> None:
    friday = schedule_trigger(("0 9 * * fri",), TZ)
    due = due_occurrence(friday, PeriodKind.WEEK, TZ, local(2026, 6, 12, 12, 0), QUIET)
    assert due is not None and due.at.astimezone(TZ).weekday() == 4
    assert due.period.key == "2026-W24"
    sunday = due_occurrence(friday, PeriodKind.WEEK, TZ, local(2026, 6, 14, 20, 0), QUIET)
    assert sunday is not None and sunday.at == local(2026, 6, 12, 9, 0)
    # A new week, its Friday still to come.
    assert due_occurrence(friday, PeriodKind.WEEK, TZ, local(2026, 6, 15, 9, 0), QUIET) is None


def test_digest_occurrences_last_for_their_day_week_month() -> None:
    daily = cron_trigger("0 8 * * *", TZ)
    due = due_occurrence(daily, PeriodKind.DAY, TZ, local(2026, 6, 11, 8, 5))
    assert due is not None and due.at == local(2026, 6, 11, 8, 0)
    assert due.period == day_of(local(2026, 6, 11, 12), TZ) and due.period.key == "2026-06-11"
    evening = due_occurrence(daily, PeriodKind.DAY, TZ, local(2026, 6, 11, 23, 0))
    assert evening is not None and evening.at == due.at  # down all day: caught up that day
    assert due_occurrence(daily, PeriodKind.DAY, TZ, local(2026, 6, 12, 7, 0)) is None
    weekly = cron_trigger("0 8 * * 1", TZ)
    thursday = due_occurrence(weekly, PeriodKind.WEEK, TZ, local(2026, 6, 18, 10, 0))
    assert thursday is not None and thursday.at == local(2026, 6, 15, 8, 0)
    assessment = cron_trigger("0 9 1 * *", TZ)
    assert due_occurrence(assessment, PeriodKind.MONTH, TZ, local(2026, 6, 1, 8, 0)) is None
    later = due_occurrence(assessment, PeriodKind.MONTH, TZ, local(2026, 6, 9, 8, 0))
    assert later is not None and later.key(TZ) == "2026-06-01T09:00"


def test_day_periods_in_the_town_zone() -> None:
    day = day_of(local(2026, 6, 10, 23, 59), TZ)
    assert day.key == "2026-06-10" and day.start == local(2026, 6, 10)
    assert day.end - day.start == timedelta(days=1)
