"""Moving the playground's clock: the scheduled jobs that fall due in between run then.

The bot's JobQueue stays paused (its scheduler counts real time). When the page moves the
fake clock, every calendar job (digests, the assessment, reminders) runs at each of its times
in the stretch skipped, with the clock set to that time, earliest first; then, at the new
time, every sweep (interval jobs: deadlines, idle flows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from telegram.ext import JobQueue

# A jump of two weeks holds ~14 daily runs per daily job; more is surely a mistake.
MAX_RUNS = 200


@dataclass
class DueJobs:
    """What to run for one jump of the clock."""

    timed: list[tuple[datetime, str]] = field(default_factory=list)  # earliest first
    sweeps: list[str] = field(default_factory=list)


def due_jobs(queue: JobQueue, before: datetime, after: datetime) -> DueJobs:
    """The calendar runs in (before, after] and the sweeps, for a jump of the clock."""
    due = DueJobs()
    for job in queue.jobs():
        trigger = job.job.trigger
        name = job.name or ""
        if isinstance(trigger, IntervalTrigger):
            due.sweeps.append(name)
            continue
        if isinstance(trigger, DateTrigger):  # one-off start-up jobs
            continue
        fire = trigger.get_next_fire_time(None, before + timedelta(microseconds=1))
        while fire is not None and fire <= after and len(due.timed) < MAX_RUNS:
            due.timed.append((fire, name))
            fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    due.timed.sort()
    due.sweeps.sort()
    return due
