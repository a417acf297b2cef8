"""A county's compliance from plain rows: what the county keeps of each town (its totals, its
extreme workers, how many are behind, its grid workers' check-ins), computed from its
micro-grids' counts without building the figures of the ~32 000 workers it does not show.

`merge_towns` adds up the towns' `summarise_town(...)`. The rule it keeps of a town is
written plainly over the town's full compliance in `tests/county_summary.py`, and a test
holds the two equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from models.compliance import Compliance, Rate, StaffUnit, WorkerFigures, checkin_figures
from models.periods import Period
from models.units import Unit


class MicroGridCount(NamedTuple):
    """One micro-grid's households that count at a moment, and how many were contacted this
    month and visited this quarter (a county's rows: `Tally` with only the town)."""

    micro_grid_id: int
    town_id: int
    households: int
    contacted: int
    visited: int


class WorkerLink(NamedTuple):
    """An active L4 worker holding one active micro-grid of a town."""

    staff_id: int
    code: str
    name: str
    unit_id: int
    town_id: int


class _Worker(NamedTuple):
    """A worker's figures over the town's micro-grids they hold, in ranking order."""

    contact_share: float
    visit_share: float
    code: str
    staff_id: int
    households: int
    contacted: int
    visited: int
    links: tuple[WorkerLink, ...]


def _workers(counts: list[MicroGridCount], links: list[WorkerLink]) -> list[_Worker]:
    """Each worker of the town with their rates, furthest behind first: by contact share,
    visit share, then code (as the digest names them)."""
    by_micro_grid = {c.micro_grid_id: c for c in counts}
    held: dict[int, list[WorkerLink]] = {}
    for link in links:
        held.setdefault(link.staff_id, []).append(link)
    found = []
    for staff_id, mine in held.items():
        households = contacted = visited = 0
        for link in mine:
            count = by_micro_grid.get(link.unit_id)
            if count is not None:
                households += count.households
                contacted += count.contacted
                visited += count.visited
        found.append(
            _Worker(
                contacted / households if households else 0,
                visited / households if households else 0,
                mine[0].code,
                staff_id,
                households,
                contacted,
                visited,
                tuple(mine),
            )
        )
    return sorted(found)


def _figures(worker: _Worker) -> WorkerFigures:
    first = worker.links[0]
    return WorkerFigures(
        staff_id=worker.staff_id,
        code=first.code,
        name=first.name,
        unit_ids=tuple(sorted(link.unit_id for link in worker.links)),
        contacts=Rate(done=worker.contacted, total=worker.households),
        visits=Rate(done=worker.visited, total=worker.households),
        due_contact=(),
        due_visit=(),
    )


def summarise_town(
    town: Unit,
    at: datetime,
    month: Period,
    quarter: Period,
    week: Period,
    counts: list[MicroGridCount],
    links: list[WorkerLink],
    grid_workers: list[StaffUnit],
    keep: int,
) -> Compliance:
    """A town's compliance as a county keeps it, from its micro-grids' counts and its
    workers' links: no household lists, the number of workers behind, and only the `keep`
    workers furthest behind and the `keep` furthest ahead (enough to rank the county's
    workers at both ends) become figures."""
    ranked = _workers(counts, links)
    extremes = {w.staff_id: w for w in [*ranked[:keep], *ranked[-keep:]] if keep}
    households = sum(c.households for c in counts)
    return Compliance(
        unit=town,
        at=at,
        month=month,
        quarter=quarter,
        week=week,
        contacts=Rate(done=sum(c.contacted for c in counts), total=households),
        visits=Rate(done=sum(c.visited for c in counts), total=households),
        by_unit=(),
        by_worker=tuple(_figures(w) for w in sorted(extremes.values(), key=lambda w: w.code)),
        checkins=tuple(checkin_figures(grid_workers, week)),
        due_contact=(),
        due_visit=(),
        workers_behind=sum(w.contacted < w.households or w.visited < w.households for w in ranked),
    )
