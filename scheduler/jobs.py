"""Registering jobs by name, so that registering twice replaces instead of duplicating."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from bot.runtime import GridApp, GridContext

JobCallback = Callable[[GridContext], Coroutine[Any, Any, Any]]


def forget(app: GridApp, *names: str) -> None:
    """Remove every job with one of these names."""
    assert app.job_queue is not None
    for name in names:
        for job in app.job_queue.get_jobs_by_name(name):
            job.schedule_removal()


def every(
    app: GridApp, callback: JobCallback, name: str, interval: timedelta, first: float | timedelta
) -> None:
    """Run `callback` every `interval`, the first time after `first` (replacing `name`)."""
    forget(app, name)
    assert app.job_queue is not None
    app.job_queue.run_repeating(callback, interval=interval, first=first, name=name)
