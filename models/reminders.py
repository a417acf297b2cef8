"""The reminder schedule as data: cron expressions, quiet hours, and which run is due now.

A run is identified by its kind and its scheduled local time (the occurrence). The run due
at `now` is the latest occurrence of the current period that is not later than `now`; when it
falls in quiet hours it waits for their end; when the bot was down it is caught up — only
the latest one, and only while its period lasts (a list of what is due is always current).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger

from bot.crontab import cron_trigger
from models.periods import Period, PeriodKind, period_of


class ReminderKind(StrEnum):
    """What a reminder is about."""

    MONTHLY_CONTACT = "monthly_contact"
    QUARTERLY_VISIT = "quarterly_visit"
    WEEKLY_CHECKIN = "weekly_checkin"
    PENSION = "pension"


PERIOD_OF_KIND = {
    ReminderKind.MONTHLY_CONTACT: PeriodKind.MONTH,
    ReminderKind.QUARTERLY_VISIT: PeriodKind.QUARTER,
    ReminderKind.WEEKLY_CHECKIN: PeriodKind.WEEK,
    ReminderKind.PENSION: PeriodKind.MONTH,
}

# A job may fire a moment before its time; count an occurrence that close as due.
EARLY_FIRE = timedelta(seconds=60)


def trigger(exprs: tuple[str, ...] | list[str], tz: ZoneInfo) -> BaseTrigger:
    """One trigger firing at every time of any of the expressions."""
    triggers = [cron_trigger(e, tz) for e in exprs]
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


class QuietHours:
    """A daily span of local time in which nobody is disturbed (may wrap past midnight)."""

    def __init__(self, start: time, end: time, tz: ZoneInfo) -> None:
        self.start, self.end, self.tz = start, end, tz

    def __contains__(self, when: datetime) -> bool:
        if self.start == self.end:
            return False
        local = when.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def after(self, when: datetime) -> datetime:
        """`when`, or the end of the quiet hours it falls in."""
        if when not in self:
            return when
        local = when.astimezone(self.tz)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            # Wall-clock arithmetic in the zone: still the end time on the next day.
            end += timedelta(days=1)
        return end


def occurrence_key(occurrence: datetime, tz: ZoneInfo) -> str:
    """The run's identity: its local scheduled time."""
    return occurrence.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def due_occurrence(
    kind: ReminderKind,
    exprs: tuple[str, ...] | list[str],
    tz: ZoneInfo,
    quiet: QuietHours,
    now: datetime,
) -> tuple[datetime, Period] | None:
    """The occurrence of `kind` to run at `now` (with its period), or None.

    Whether it already ran is the caller's to check (runs are recorded).
    """
    if not exprs or now in quiet:
        return None
    period = period_of(PERIOD_OF_KIND[kind], now, tz)
    fires = trigger(exprs, tz)
    latest: datetime | None = None
    previous: datetime | None = None
    cursor = period.start
    limit = now + EARLY_FIRE
    while True:
        fire = fires.get_next_fire_time(previous, cursor)
        if fire is None or fire > limit or fire >= period.end:
            break
        latest, previous = fire, fire
        cursor = fire + timedelta(seconds=1)
    if latest is None or quiet.after(latest) > limit:
        return None
    return latest, period
