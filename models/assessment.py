"""Monthly assessment of grid workers (SPEC §8): figures per worker and a ranking per unit.

The score is the plain average of the shares that can be computed for the worker: households
contacted this month, households visited this quarter, reports accepted within the deadline,
reports solved on the spot, reports NOT reopened, residents' confirmations (those four over
the reports the worker resolved or accepted in the month), and residents' satisfaction at the
call-back ((满意 + 基本满意) / answered, over the answers given in the month about the reports
the worker owns). Workers who handled
fewer reports than the minimum are listed as too few to judge instead of being ranked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from models.digest import share
from models.satisfaction import Tally


@dataclass
class WorkerFigures:
    """One worker's month."""

    staff_id: int
    code: str
    name: str
    level: int
    group_id: int  # the unit (below the assessed one) the worker is ranked within
    unit_names: str = ""
    contact_share: float | None = None
    visit_share: float | None = None
    handled: int = 0  # distinct reports accepted or resolved in the month
    accepted_judged: int = 0  # first acceptances at L4 with a deadline to meet
    accepted_in_time: int = 0
    resolved: int = 0
    on_spot: int = 0
    reopened: int = 0
    confirmed: int = 0
    satisfaction: Tally = field(default_factory=Tally)  # call-back answers in the month

    @property
    def in_time_share(self) -> float | None:
        """Share of acceptances within the deadline."""
        return share(self.accepted_in_time, self.accepted_judged)

    @property
    def on_spot_share(self) -> float | None:
        """Share of resolved reports solved on the spot."""
        return share(self.on_spot, self.resolved)

    @property
    def kept_share(self) -> float | None:
        """Share of resolved reports that were not reopened."""
        return share(self.resolved - self.reopened, self.resolved)

    @property
    def confirmed_share(self) -> float | None:
        """Share of resolved reports the resident confirmed."""
        return share(self.confirmed, self.resolved)

    @property
    def satisfaction_share(self) -> float | None:
        """Share of call-back answers that were 满意 or 基本满意."""
        return self.satisfaction.rate


def score(worker: WorkerFigures, judge_reports: bool = True) -> float | None:
    """The average of the worker's computable shares (0-1); None when none is computable."""
    parts = [worker.contact_share, worker.visit_share]
    if judge_reports:
        parts += [
            worker.in_time_share,
            worker.on_spot_share,
            worker.kept_share,
            worker.confirmed_share,
            worker.satisfaction_share,
        ]
    known = [p for p in parts if p is not None]
    return sum(known) / len(known) if known else None


@dataclass
class Ranked:
    """A worker with their place (equal scores share a place) and score."""

    place: int
    score: float | None
    worker: WorkerFigures


@dataclass
class UnitRanking:
    """The ranking within one unit, and the workers with too few reports to judge."""

    group_id: int
    ranked: list[Ranked] = field(default_factory=list)
    too_few: list[WorkerFigures] = field(default_factory=list)


def rank(workers: Iterable[WorkerFigures], min_reports: int) -> dict[int, UnitRanking]:
    """Rank workers within their unit by score; those below `min_reports` are set apart."""
    out: dict[int, UnitRanking] = {}
    for worker in workers:
        ranking = out.setdefault(worker.group_id, UnitRanking(worker.group_id))
        if worker.handled < min_reports:
            ranking.too_few.append(worker)
        else:
            ranking.ranked.append(Ranked(0, score(worker), worker))
    for ranking in out.values():
        ranking.ranked.sort(
            key=lambda r: (-(r.score if r.score is not None else -1), r.worker.code)
        )
        previous: float | None = None
        for index, entry in enumerate(ranking.ranked, start=1):
            same = (
                previous is not None
                and entry.score is not None
                and abs(entry.score - previous) < 1e-9
            )
            entry.place = ranking.ranked[index - 2].place if same else index
            previous = entry.score
        ranking.too_few.sort(key=lambda w: w.code)
    return out
