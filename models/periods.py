"""Months, quarters and weeks in the town's time zone, and the dates people type."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from models.errors import Refusal


class PeriodKind(StrEnum):
    """How long a period of work lasts."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


class Period(BaseModel):
    """A half-open span [start, end) of local calendar time, as aware UTC datetimes."""

    model_config = ConfigDict(frozen=True)

    kind: PeriodKind
    key: str  # '2026-06-10', '2026-W24', '2026-06', '2026-Q2'
    start: datetime
    end: datetime

    def contains(self, when: datetime) -> bool:
        """Whether `when` lies in the period."""
        return self.start <= when < self.end


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _first_of_next(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def local_date(when: datetime, tz: ZoneInfo) -> date:
    """The town's calendar date at `when`."""
    return when.astimezone(tz).date()


def day_of(when: datetime, tz: ZoneInfo) -> Period:
    """The local calendar day containing `when`."""
    day = local_date(when, tz)
    return Period(
        kind=PeriodKind.DAY,
        key=day.isoformat(),
        start=_midnight(day, tz),
        end=_midnight(day + timedelta(days=1), tz),
    )


def month_of(when: datetime, tz: ZoneInfo) -> Period:
    """The local month containing `when`."""
    day = local_date(when, tz)
    first = day.replace(day=1)
    return Period(
        kind=PeriodKind.MONTH,
        key=f"{day.year:04d}-{day.month:02d}",
        start=_midnight(first, tz),
        end=_midnight(_first_of_next(day.year, day.month), tz),
    )


def quarter_of(when: datetime, tz: ZoneInfo) -> Period:
    """The local quarter (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec) containing `when`."""
    day = local_date(when, tz)
    number = (day.month - 1) // 3 + 1
    first = date(day.year, 3 * number - 2, 1)
    return Period(
        kind=PeriodKind.QUARTER,
        key=f"{day.year:04d}-Q{number}",
        start=_midnight(first, tz),
        end=_midnight(_first_of_next(day.year, 3 * number), tz),
    )


def week_of(when: datetime, tz: ZoneInfo) -> Period:
    """The local ISO week (Monday to Sunday) containing `when`."""
    day = local_date(when, tz)
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    return Period(
        kind=PeriodKind.WEEK,
        key=f"{year:04d}-W{week:02d}",
        start=_midnight(monday, tz),
        end=_midnight(monday + timedelta(days=7), tz),
    )


def period_of(kind: PeriodKind, when: datetime, tz: ZoneInfo) -> Period:
    """The period of this kind containing `when`."""
    of = {
        PeriodKind.DAY: day_of,
        PeriodKind.WEEK: week_of,
        PeriodKind.MONTH: month_of,
        PeriodKind.QUARTER: quarter_of,
    }
    return of[kind](when, tz)


def next_month(day: date) -> int:
    """The number (1-12) of the month after `day`'s."""
    return day.month % 12 + 1


_FULL = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_SHORT = re.compile(r"^\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_day(text: str, today: date) -> date | None:
    """A date typed as YYYY-MM-DD or MM-DD (also with / . or 年月日); None if it is not one."""
    full, short = _FULL.match(text), _SHORT.match(text)
    try:
        if full:
            return date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        if short:
            return date(today.year, int(short.group(1)), int(short.group(2)))
    except ValueError:
        return None
    return None


def check_happened_on(day: date, now: datetime, tz: ZoneInfo) -> None:
    """Refuse a date in the future or before the current quarter."""
    today = local_date(now, tz)
    if day > today:
        raise Refusal("households.date_future", day=day.isoformat())
    first = local_date(quarter_of(now, tz).start, tz)
    if day < first:
        raise Refusal("households.date_too_early", day=day.isoformat(), first=first.isoformat())


def happened_at(day: date, now: datetime, tz: ZoneInfo) -> datetime:
    """When something that happened on `day` is counted: now for today, else local noon."""
    if day == local_date(now, tz):
        return now
    return datetime.combine(day, time(12), tzinfo=tz).astimezone(UTC)


def quarter_months(now: datetime, tz: ZoneInfo) -> list[date]:
    """The first day of each month of the current quarter up to this one."""
    today = local_date(now, tz)
    first = local_date(quarter_of(now, tz).start, tz)
    return [date(first.year, m, 1) for m in range(first.month, today.month + 1)]
