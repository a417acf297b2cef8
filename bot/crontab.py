"""Cron expressions as people write them, turned into APScheduler 3 triggers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

# APScheduler counts weekdays from Monday = 0; crontab counts from Sunday = 0 (and 7).
_WEEKDAYS = {
    "0": "sun",
    "1": "mon",
    "2": "tue",
    "3": "wed",
    "4": "thu",
    "5": "fri",
    "6": "sat",
    "7": "sun",
}


def _weekday_names(field: str) -> str:
    """A crontab day-of-week field with its numbers written as names."""
    out = []
    for part in field.split(","):
        step = ""
        if "/" in part:
            part, step = part.split("/", 1)
            step = "/" + step
        ends = [_WEEKDAYS.get(p, p) for p in part.split("-")]
        out.append("-".join(ends) + step)
    return ",".join(out)


def cron_trigger(expr: str, tz: tzinfo) -> CronTrigger:
    """A trigger for a five-field crontab expression ("0 8 * * 1" is Monday 08:00)."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected five cron fields (minute hour day month weekday): {expr!r}")
    fields[4] = _weekday_names(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=tz)


def schedule_trigger(exprs: Sequence[str], tz: tzinfo) -> BaseTrigger:
    """One trigger firing at every time of any of the expressions."""
    triggers = [cron_trigger(e, tz) for e in exprs]
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)
