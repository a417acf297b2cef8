"""How often one person may act: a sliding window per person and kind of action."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Kind(StrEnum):
    """What is counted."""

    REPORT = "report"  # a report started (/report, a photo captioned /report)
    ACTION = "action"  # any command or button press


@dataclass(frozen=True)
class Verdict:
    """Whether the action may go ahead, and whether the person should be told it may not
    (once per window: a refusal is not repeated to someone who keeps trying)."""

    allowed: bool
    tell: bool = False
    kind: Kind | None = None


@dataclass
class _Window:
    times: deque[datetime] = field(default_factory=deque)
    told: bool = False


@dataclass
class PersonLimits:
    """Per-person limits: `reports` per `report_window`, `actions` per `action_window`
    (0 turns a limit off). Kept in memory: a restart starts every count afresh."""

    reports: int
    actions: int
    report_window: timedelta = timedelta(hours=1)
    action_window: timedelta = timedelta(minutes=1)
    max_people: int = 100_000
    _seen: dict[tuple[int, Kind], _Window] = field(default_factory=dict)

    def check(self, person: int, kinds: list[Kind], now: datetime) -> Verdict:
        """Count one action of these kinds for this person, unless a limit is reached."""
        windows = []
        for kind in kinds:
            limit, span = self._limit(kind)
            if limit <= 0:
                continue
            window = self._seen.get((person, kind))
            if window is None:
                if len(self._seen) >= self.max_people:
                    self._forget_idle(now)
                window = self._seen[(person, kind)] = _Window()
            while window.times and now - window.times[0] >= span:
                window.times.popleft()
            if not window.times:
                window.told = False
            if len(window.times) >= limit:
                tell = not window.told
                window.told = True
                return Verdict(allowed=False, tell=tell, kind=kind)
            windows.append(window)
        for window in windows:
            window.times.append(now)
        return Verdict(allowed=True)

    def _limit(self, kind: Kind) -> tuple[int, timedelta]:
        if kind is Kind.REPORT:
            return self.reports, self.report_window
        return self.actions, self.action_window

    def _forget_idle(self, now: datetime) -> None:
        longest = max(self.report_window, self.action_window)
        for key, window in list(self._seen.items()):
            if not window.times or now - window.times[-1] >= longest:
                del self._seen[key]
