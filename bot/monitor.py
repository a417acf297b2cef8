"""Health and metrics of one running bot: named checks, counters, gauges read on demand.

The composition root creates one `Monitor` per Application and registers what it knows how
to check (`add_check`) and count (`add_gauge`); the HTTP side (`add_routes`) serves
`/healthz` and `/metrics` from it, on a standalone server or on another aiohttp app.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger(__name__)

# A check answers None when healthy, else a short reason (no personal data).
Check = Callable[[], Awaitable[str | None]]
# A gauge reader answers {label values: value}.
GaugeRead = Callable[[], Awaitable[Mapping[tuple[str, ...], float]]]


@dataclass(frozen=True)
class Health:
    """The outcome of every check: healthy when none found a problem."""

    problems: dict[str, str | None]

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(problem is None for problem in self.problems.values())


class Monitor:
    """The checks and metrics of one Application, on its own Prometheus registry."""

    def __init__(self, check_timeout: float = 5.0) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.check_timeout = check_timeout
        self.updates = Counter(
            "gridbot_updates", "Telegram updates handled, by kind", ["kind"], registry=self.registry
        )
        self.handler_errors = Counter(
            "gridbot_handler_errors",
            "Errors raised while handling an update or running a job",
            ["source"],
            registry=self.registry,
        )
        self.job_runs = Counter(
            "gridbot_job_runs", "Scheduled job runs, by job", ["job"], registry=self.registry
        )
        self.job_seconds = Histogram(
            "gridbot_job_duration_seconds",
            "How long scheduled job runs took",
            ["job"],
            buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 1800),
            registry=self.registry,
        )
        self.api_errors = Counter(
            "gridbot_bot_api_errors",
            "Bot API calls answered with an error, by HTTP status (or network/timeout)",
            ["code"],
            registry=self.registry,
        )
        self._checks: dict[str, Check] = {}
        self._gauges: dict[str, tuple[Gauge, GaugeRead]] = {}
        # When getUpdates last succeeded (monotonic seconds; None: not yet).
        self.last_poll: float | None = None

    def add_check(self, name: str, check: Check) -> None:
        """Register a liveness check under a name (registering a name again replaces it)."""
        self._checks[name] = check

    def add_gauge(
        self, name: str, documentation: str, labels: tuple[str, ...], read: GaugeRead
    ) -> None:
        """Register a gauge whose values are read when /metrics is scraped (registering a
        name again replaces the earlier gauge)."""
        if name in self._gauges:
            self.registry.unregister(self._gauges.pop(name)[0])
        gauge = Gauge(name, documentation, list(labels), registry=self.registry)
        self._gauges[name] = (gauge, read)

    def note_poll(self) -> None:
        """getUpdates answered successfully just now."""
        self.last_poll = time.monotonic()

    def count_update(self, kind: str) -> None:
        """One update of this kind was received for handling."""
        self.updates.labels(kind=kind).inc()

    def count_error(self, source: str) -> None:
        """A handler or job failed."""
        self.handler_errors.labels(source=source).inc()

    def count_job(self, job: str, seconds: float) -> None:
        """A scheduled job ran for `seconds`."""
        self.job_runs.labels(job=job).inc()
        self.job_seconds.labels(job=job).observe(seconds)

    def count_api_error(self, code: str) -> None:
        """A Bot API call failed with this status."""
        self.api_errors.labels(code=code).inc()

    async def health(self) -> Health:
        """Run every check (each within the timeout)."""

        async def run(check: Check) -> str | None:
            try:
                async with asyncio.timeout(self.check_timeout):
                    return await check()
            except TimeoutError:
                return f"no answer within {self.check_timeout:g}s"
            except Exception as exc:
                return f"{type(exc).__name__}"

        names = list(self._checks)
        results = await asyncio.gather(*(run(self._checks[n]) for n in names))
        return Health(dict(zip(names, results, strict=True)))

    async def refresh_gauges(self) -> None:
        """Read every registered gauge (a failing reader leaves its gauge empty)."""
        for gauge, read in self._gauges.values():
            labelled = bool(gauge._labelnames)
            try:
                values = await read()
            except Exception:
                log.warning("metrics: reading %s failed", gauge._name, exc_info=True)
                values = {}
            if not labelled:
                # A gauge without labels always has one value: 0 when there is nothing.
                gauge.set(values.get((), 0.0))
                continue
            gauge.clear()
            for labels, value in values.items():
                gauge.labels(*labels).set(value)


class JobTimer:
    """Times scheduled jobs from APScheduler's events (added → submitted → executed)."""

    def __init__(self, monitor: Monitor, scheduler: object) -> None:
        self._monitor = monitor
        self._scheduler = scheduler
        # A one-off job leaves the scheduler before it runs: its name is noted when added.
        self._names: dict[str, str] = {}
        self._started: dict[str, float] = {}

    def __call__(self, event: object) -> None:
        """An APScheduler event listener."""
        from apscheduler.events import EVENT_JOB_ADDED, EVENT_JOB_SUBMITTED

        job_id = str(getattr(event, "job_id", ""))
        code = getattr(event, "code", 0)
        if code == EVENT_JOB_ADDED:
            job = self._scheduler.get_job(job_id)  # type: ignore[attr-defined]
            self._names[job_id] = job.name if job is not None else job_id
        elif code == EVENT_JOB_SUBMITTED:
            self._started[job_id] = time.monotonic()
        elif job_id in self._started:
            seconds = time.monotonic() - self._started.pop(job_id)
            self._monitor.count_job(self._names.get(job_id, job_id), seconds)
            if self._scheduler.get_job(job_id) is None:  # type: ignore[attr-defined]
                self._names.pop(job_id, None)
