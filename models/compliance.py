"""Compliance with the rules of work: one contact a month, one visit a quarter, the grid
workers down in their grid every week — per unit, per sub-unit and per named worker.

Pure functions over facts loaded by storage (no I/O here):

- a household counts from `added_at` (a household added mid-period is due in that period,
  and nothing logged before it was added counts for it) until it is deactivated;
- it is contacted this month when a contact (or a visit where it was met) happened in
  [max(month start, added_at), at]; visited this quarter likewise for visits;
- a grid worker is checked in this week with a check-in not flagged as far outside the grid.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from models.contacts import Household
from models.periods import Period
from models.units import Ancestors, Level, Unit, five_ancestors


class HouseholdFacts(BaseModel):
    """A household with the latest contact and visit logged up to the reference time."""

    model_config = ConfigDict(frozen=True)

    household: Household
    ancestors: Ancestors  # of its micro-grid, l0..l4
    added_at: datetime
    active: bool = True
    deactivated_at: datetime | None = None
    last_contact: datetime | None = None
    last_visit: datetime | None = None

    _five_ancestors = field_validator("ancestors", mode="before")(five_ancestors)

    def counts_at(self, at: datetime) -> bool:
        """Whether the household exists for compliance at `at`."""
        if self.added_at > at:
            return False
        return self.active or (self.deactivated_at is not None and self.deactivated_at > at)

    def contacted(self, month: Period) -> bool:
        """Whether it was contacted in the month since it was added."""
        since = max(month.start, self.added_at)
        return self.last_contact is not None and self.last_contact >= since

    def visited(self, quarter: Period) -> bool:
        """Whether it was visited in the quarter since it was added."""
        since = max(quarter.start, self.added_at)
        return self.last_visit is not None and self.last_visit >= since


class StaffUnit(BaseModel):
    """A staff member holding one unit (a worker holding two units appears twice)."""

    model_config = ConfigDict(frozen=True)

    staff_id: int
    code: str
    name: str
    level: Level
    unit_id: int
    tg_user_id: int | None = None
    phone: str = ""
    language: str | None = None  # the Telegram language last seen for them
    last_checkin: datetime | None = None  # latest check-in not flagged, up to the reference
    flagged_checkins: int = 0  # check-ins flagged as far outside this week


class Rate(BaseModel):
    """How many of how many."""

    model_config = ConfigDict(frozen=True)

    done: int
    total: int

    @property
    def share(self) -> float | None:
        """done / total, or None when there is nothing to do."""
        return self.done / self.total if self.total else None

    @property
    def missing(self) -> int:
        """How many are still to do."""
        return self.total - self.done


class UnitFigures(BaseModel):
    """Compliance of one sub-unit."""

    model_config = ConfigDict(frozen=True)

    unit_id: int
    code: str
    name: str
    contacts: Rate
    visits: Rate


class WorkerFigures(BaseModel):
    """Compliance of one L4 worker over the households of their micro-grids."""

    model_config = ConfigDict(frozen=True)

    staff_id: int
    code: str
    name: str
    unit_ids: tuple[int, ...]
    contacts: Rate
    visits: Rate
    due_contact: tuple[Household, ...]
    due_visit: tuple[Household, ...]


class CheckinFigure(BaseModel):
    """Whether one grid worker checked in this week."""

    model_config = ConfigDict(frozen=True)

    staff_id: int
    code: str
    name: str
    unit_ids: tuple[int, ...]
    checked_in: bool
    last_at: datetime | None
    flagged: int


class Compliance(BaseModel):
    """Compliance of a unit's subtree at a moment: totals, sub-units, named workers."""

    model_config = ConfigDict(frozen=True)

    unit: Unit
    at: datetime
    month: Period
    quarter: Period
    week: Period
    contacts: Rate
    visits: Rate
    by_unit: tuple[UnitFigures, ...]
    by_worker: tuple[WorkerFigures, ...]
    checkins: tuple[CheckinFigure, ...]
    due_contact: tuple[Household, ...]
    due_visit: tuple[Household, ...]
    # A county's figures keep only each town's extreme workers in `by_worker`; this is how
    # many workers of the county are behind (None: `by_worker` holds every worker).
    workers_behind: int | None = None

    @property
    def checked_in(self) -> Rate:
        """Grid workers checked in this week, of all grid workers in the subtree."""
        return Rate(done=sum(c.checked_in for c in self.checkins), total=len(self.checkins))

    @property
    def behind_contact(self) -> list[WorkerFigures]:
        """Workers with households not contacted this month, furthest behind first (通报)."""
        return sorted(
            (w for w in self.by_worker if w.contacts.missing),
            key=lambda w: (w.contacts.share or 0, w.code),
        )

    @property
    def behind_visit(self) -> list[WorkerFigures]:
        """Workers with households not visited this quarter, furthest behind first."""
        return sorted(
            (w for w in self.by_worker if w.visits.missing),
            key=lambda w: (w.visits.share or 0, w.code),
        )

    @property
    def not_checked_in(self) -> list[CheckinFigure]:
        """Grid workers who have not checked in this week."""
        return [c for c in self.checkins if not c.checked_in]


class Tally(BaseModel):
    """One micro-grid's households that count at a moment, and how many of them were
    contacted this month and visited this quarter (storage counts them in SQL for a large
    unit; `tally` counts loaded facts)."""

    model_config = ConfigDict(frozen=True)

    micro_grid_id: int
    ancestors: Ancestors  # of the micro-grid, l0..l4
    households: int
    contacted: int
    visited: int


def tally(
    households: list[HouseholdFacts], at: datetime, month: Period, quarter: Period
) -> list[Tally]:
    """Per micro-grid, the loaded households that count at `at` and how many are done."""
    counts: dict[int, list[int]] = {}
    ancestors: dict[int, Ancestors] = {}
    for h in households:
        if not h.counts_at(at):
            continue
        mg = h.household.micro_grid_id
        row = counts.setdefault(mg, [0, 0, 0])
        ancestors[mg] = h.ancestors
        row[0] += 1
        row[1] += h.contacted(month)
        row[2] += h.visited(quarter)
    return [
        Tally(micro_grid_id=mg, ancestors=ancestors[mg], households=n, contacted=c, visited=v)
        for mg, (n, c, v) in counts.items()
    ]


def _sum(tallies: list[Tally]) -> tuple[Rate, Rate]:
    total = sum(t.households for t in tallies)
    return (
        Rate(done=sum(t.contacted for t in tallies), total=total),
        Rate(done=sum(t.visited for t in tallies), total=total),
    )


def build_compliance(
    unit: Unit,
    at: datetime,
    month: Period,
    quarter: Period,
    week: Period,
    tallies: list[Tally],
    children: list[Unit],
    workers: list[StaffUnit],
    grid_workers: list[StaffUnit],
    households: list[HouseholdFacts] | None = None,
) -> Compliance:
    """Compliance of `unit`'s subtree at `at` from its micro-grids' tallies; with the loaded
    `households` (a small unit), also the households still due, overall and per worker."""
    mine = [t for t in tallies if t.ancestors[unit.level] == unit.id]
    by_unit = []
    if unit.level < Level.MICRO_GRID:
        below = unit.level + 1  # index of the children's level in `ancestors`
        by_child: dict[int | None, list[Tally]] = {}
        for t in mine:
            by_child.setdefault(t.ancestors[below], []).append(t)
        for child in children:
            contacts, visits = _sum(by_child.get(child.id, []))
            by_unit.append(
                UnitFigures(
                    unit_id=child.id,
                    code=child.code,
                    name=child.name,
                    contacts=contacts,
                    visits=visits,
                )
            )
    counted = [
        h for h in households or [] if h.counts_at(at) and h.ancestors[unit.level] == unit.id
    ]
    contacted = {h.household.id: h.contacted(month) for h in counted}
    visited = {h.household.id: h.visited(quarter) for h in counted}
    contacts, visits = _sum(mine)
    return Compliance(
        unit=unit,
        at=at,
        month=month,
        quarter=quarter,
        week=week,
        contacts=contacts,
        visits=visits,
        by_unit=tuple(by_unit),
        by_worker=tuple(_by_worker(mine, workers, counted, contacted, visited)),
        checkins=tuple(checkin_figures(grid_workers, week)),
        due_contact=tuple(h.household for h in counted if not contacted[h.household.id]),
        due_visit=tuple(h.household for h in counted if not visited[h.household.id]),
    )


def workers_due(
    households: list[HouseholdFacts],
    workers: list[StaffUnit],
    at: datetime,
    month: Period,
    quarter: Period,
) -> list[WorkerFigures]:
    """Each worker's figures and households still due, over all the given households."""
    counted = [h for h in households if h.counts_at(at)]
    contacted = {h.household.id: h.contacted(month) for h in counted}
    visited = {h.household.id: h.visited(quarter) for h in counted}
    tallies = tally(counted, at, month, quarter)
    return _by_worker(tallies, workers, counted, contacted, visited)


def _by_worker(
    tallies: list[Tally],
    workers: list[StaffUnit],
    counted: list[HouseholdFacts],
    contacted: dict[int, bool],
    visited: dict[int, bool],
) -> list[WorkerFigures]:
    """Each worker's rates over the tallies of their micro-grids, and the households still
    due among `counted` (none when no households were loaded)."""
    by_micro_grid = {t.micro_grid_id: t for t in tallies}
    households: dict[int, list[HouseholdFacts]] = {}
    for h in counted:
        households.setdefault(h.household.micro_grid_id, []).append(h)
    held: dict[int, list[StaffUnit]] = {}
    for link in workers:
        held.setdefault(link.staff_id, []).append(link)
    figures = []
    for links in held.values():
        contacts, visits = _sum(
            [by_micro_grid[link.unit_id] for link in links if link.unit_id in by_micro_grid]
        )
        mine = [h for link in links for h in households.get(link.unit_id, [])]
        first = links[0]
        figures.append(
            WorkerFigures(
                staff_id=first.staff_id,
                code=first.code,
                name=first.name,
                unit_ids=tuple(sorted(link.unit_id for link in links)),
                contacts=contacts,
                visits=visits,
                due_contact=tuple(h.household for h in mine if not contacted[h.household.id]),
                due_visit=tuple(h.household for h in mine if not visited[h.household.id]),
            )
        )
    return sorted(figures, key=lambda w: w.code)


def checkin_figures(grid_workers: list[StaffUnit], week: Period) -> list[CheckinFigure]:
    """Each grid worker's check-in this week, by code."""
    held: dict[int, list[StaffUnit]] = {}
    for link in grid_workers:
        held.setdefault(link.staff_id, []).append(link)
    figures = []
    for links in held.values():
        first = links[0]
        last = first.last_checkin
        figures.append(
            CheckinFigure(
                staff_id=first.staff_id,
                code=first.code,
                name=first.name,
                unit_ids=tuple(sorted(link.unit_id for link in links)),
                checked_in=last is not None and last >= week.start,
                last_at=last,
                flagged=first.flagged_checkins,
            )
        )
    return sorted(figures, key=lambda c: c.code)


def merge_towns(county: Unit, towns: list[Compliance]) -> Compliance:
    """The county's compliance from its towns' summaries: totals added up, one line per
    town, the towns' extreme workers, every grid worker's check-in."""
    assert towns, "a county without towns has no compliance"
    first = towns[0]

    def total(rates: list[Rate]) -> Rate:
        return Rate(done=sum(r.done for r in rates), total=sum(r.total for r in rates))

    return Compliance(
        unit=county,
        at=first.at,
        month=first.month,
        quarter=first.quarter,
        week=first.week,
        contacts=total([t.contacts for t in towns]),
        visits=total([t.visits for t in towns]),
        by_unit=tuple(
            UnitFigures(
                unit_id=t.unit.id,
                code=t.unit.code,
                name=t.unit.name,
                contacts=t.contacts,
                visits=t.visits,
            )
            for t in towns
        ),
        by_worker=tuple(w for t in towns for w in t.by_worker),
        checkins=tuple(c for t in towns for c in t.checkins),
        due_contact=(),
        due_visit=(),
        workers_behind=sum(t.workers_behind or 0 for t in towns),
    )
