"""Which occurrence of a schedule is due now: one rule for every scheduled send (reminders,
digests, the assessment).

An occurrence lasts while its period (the day, week, month or quarter it falls in) lasts.
At `now` the due occurrence is the latest one of the current period that is not later than
`now` (a job may fire a moment early). When the bot was down it is caught up after the
start — only the latest one, and only while its period lasts, so what goes out is never
stale. With quiet hours (reminders), nothing is due inside them, and an occurrence that
fell in them waits for their end. Whether it was already sent is the ledger's to say.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from models.periods import Period, PeriodKind, period_of

# A job may fire a moment before its time; count an occurrence that close as due.
EARLY_FIRE = timedelta(seconds=60)


class Fires(Protocol):
    """When a schedule fires (an APScheduler trigger has this method)."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None: ...


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


class Occurrence(BaseModel):
    """A scheduled time and the period it lasts for."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    period: Period

    def key(self, tz: ZoneInfo) -> str:
        """Its identity: the local scheduled time, 'YYYY-MM-DDTHH:MM'."""
        return self.at.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def due_occurrence(
    fires: Fires,
    lasts: PeriodKind,
    tz: ZoneInfo,
    now: datetime,
    quiet: QuietHours | None = None,
) -> Occurrence | None:
    """The occurrence to send at `now`, or None (see the module's rule)."""
    if quiet is not None and now in quiet:
        return None
    period = period_of(lasts, now, tz)
    limit = now + EARLY_FIRE
    latest: datetime | None = None
    previous: datetime | None = None
    cursor = period.start
    while True:
        fire = fires.get_next_fire_time(previous, cursor)
        if fire is None or fire > limit or fire >= period.end:
            break
        latest, previous = fire, fire
        cursor = fire + timedelta(seconds=1)
    if latest is None:
        return None
    if quiet is not None and quiet.after(latest) > limit:
        return None
    return Occurrence(at=latest, period=period)
