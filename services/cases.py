"""The case service: check, apply and sweep for every kind of case (reports, home visits).

A kind brings its transition table (models), how to load its details, who may move it and
what a move must carry (`CaseKind`); the rest — the press ledger, routing a climbing case,
the change itself, its history step and audit entry — is written once here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, grid
from bot.storage import cases as store
from bot.storage.db import Database
from models import cases
from models.cases import CaseChange, CaseState, Due, Kind, KindRules, Mover, Place, Step
from models.errors import Refusal, TextKey
from models.permissions import Actor
from models.units import Level, Staff
from services.effects import Then
from services.reports.routing import Route, route_from

R = TypeVar("R")


@dataclass(frozen=True)
class SecondDue:
    """A second due time a kind may keep beside its deadline (a report's supervision):
    past it unanswered, the case climbs like a deadline breach, once, in the same sweep."""

    action: str  # the history's name of the climb (supervise_overdue)
    # (case id, token) of what is past its second due time at `now`; token names it for:
    past_due: Callable[[Database, datetime], Awaitable[list[tuple[int, int]]]]
    lapse: Callable[[Database, int, datetime], Awaitable[None]]  # never again for this token


@dataclass(frozen=True)
class CaseKind(Generic[R]):
    """What the engine needs from one kind of case; R is the kind's detailed record."""

    rules: KindRules
    audit_name: str  # report, pension: the audit actions' prefix
    audit_entity: str
    load: Callable[[Database, int], Awaitable[R]]  # refuses an unknown number
    check: Callable[[Database, Actor, R, str], Awaitable[None]]  # refuses a move not allowed
    # Refuses what the move lacks (a note, a visit time), fills in what it names.
    prepare: Callable[[Database, Config, R, Step], Awaitable[Step]]
    micro_grid_of: Callable[[R], int | None]
    # What a move does beyond the case's state, in its transaction (a report marked
    # duplicate carries its affected households over to the original).
    aftermath: Callable[[Database, CaseChange], Awaitable[None]] | None = None
    second_due: SecondDue | None = None


@dataclass(frozen=True)
class Lapsed(Generic[R]):
    """A case past its second due time that could not climb (at the top level already):
    only flagged, under the second due's history name; `token` names what lapsed."""

    record: R
    action: str
    token: int


@dataclass(frozen=True)
class Moved(Generic[R]):
    """A case before and after a move, who made it, and where it went."""

    before: R
    after: R
    change: CaseChange
    by: Staff | None = None  # None: the resident or the system
    route: Route | None = None  # set when it climbed a level
    event_id: int = 0  # the history step it wrote (names the notices it causes)

    @property
    def move(self) -> str:
        """The move made."""
        return self.change.move

    @property
    def note(self) -> str:
        """The mover's note."""
        return self.change.note

    @property
    def overdue(self) -> bool:
        """Whether a deadline made the move."""
        return self.change.action.endswith("_overdue")


@dataclass(frozen=True)
class ConfigDeadlines:
    """The deadlines of the configuration, as the case model asks for them."""

    config: Config

    def within(self, kind: Kind, due: Due, level: Level) -> timedelta:
        """How long deadline `due` runs at `level`."""
        if due is Due.ACCEPT:
            return self.config.reports.deadlines.at(level).accept_within
        if due is Due.RESOLVE:
            return self.config.reports.deadlines.at(level).resolve_within
        if due is Due.CONFIRM:
            return self.config.reports.confirm_within
        return self.config.flows.pension.visit_within.at(level)


def moved_on(catalog: str, number: str, status: str) -> Refusal:
    """The refusal for a move the case's status no longer allows (`catalog`: reports, …)."""
    return Refusal(
        f"{catalog}.moved_on", number=number, status=TextKey(f"{catalog}.status_{status}")
    )


def mover_of(actor: Actor) -> Mover:
    """The mover a staff member or a resident is in the history."""
    if actor.staff is not None:
        return Mover(f"staff:{actor.staff.code}", actor.staff.id, actor.staff.level)
    return Mover(f"tg:{actor.tg_user_id}")


async def apply(
    db: Database,
    clock: Clock,
    config: Config,
    kind: CaseKind[R],
    actor: Actor,
    case_id: int,
    move: str,
    *,
    note: str = "",
    visit_at: datetime | None = None,
    duplicate_of: int | None = None,
    press_id: str | None = None,
    then: Then[Moved[R]] | None = None,
) -> Moved[R] | None:
    """Make `move` on the case as `actor`, atomically, after every check.

    `press_id` (a button press's id) makes the move happen once even when Telegram delivers
    the press again; the repeat returns None. `then` (the caller's notices of the move) runs
    in the move's transaction: the move and its notices are stored together or not at all.
    """
    async with db.transaction():
        now = clock.now()
        if press_id is not None and not await store.claim_press(db, press_id, now):
            return None
        record = await kind.load(db, case_id)
        await kind.check(db, actor, record, move)
        step = Step(
            move, mover_of(actor), now, note.strip(), visit_at=visit_at, duplicate_of=duplicate_of
        )
        step = await kind.prepare(db, config, record, step)
        case = await store.case(db, kind.rules.kind, case_id)
        assert case is not None
        route = None
        if kind.rules.transition(move).effects.climbs:
            route = await _route(db, kind, record, cases.climb_from(case))
        moved = await _commit(db, config, kind, (record, case), step, actor.staff, route)
        if then is not None:
            await then(moved)
        return moved


async def _commit(
    db: Database,
    config: Config,
    kind: CaseKind[R],
    before: tuple[R, CaseState],
    step: Step,
    staff: Staff | None,
    route: Route | None,
) -> Moved[R]:
    record, case = before
    case_id = case.id
    if route is not None:
        step = replace(step, to=Place(route.level, route.unit.id))
    change = cases.apply(kind.rules, case, step, ConfigDeadlines(config))
    event_id = await store.save(db, change)
    if kind.aftermath is not None:
        await kind.aftermath(db, change)
    detail: dict[str, str] = {"unit": route.unit.code} if route is not None else {}
    await audit.record(
        db,
        to_ts(step.at),
        step.by.label,
        f"{kind.audit_name}.{change.action}",
        kind.audit_entity,
        case_id,
        note=step.note,
        **detail,
    )
    after = await kind.load(db, case_id)
    return Moved(record, after, change, by=staff, route=route, event_id=event_id)


async def _route(db: Database, kind: CaseKind[R], record: R, start: Level | None) -> Route | None:
    micro_grid = await grid.unit_by_id(db, kind.micro_grid_of(record) or 0)
    if micro_grid is None or start is None:
        return None
    return await route_from(db, micro_grid, start)


async def sweep(
    db: Database,
    clock: Clock,
    config: Config,
    kind: CaseKind[R],
    then: Then[Moved[R]] | None = None,
    lapsed: Then[Lapsed[R]] | None = None,
) -> list[Moved[R]]:
    """Make the sweep's move on every case of `kind` past its deadline, once per breach: one
    waiting for the grid climbs a level (at the town it is only flagged overdue), one waiting
    for the resident is closed (idempotent: the deadline is cleared or starts again). `then`
    runs for each move in the sweep's transaction (its notices are stored with it), `lapsed`
    for each case past its second due time that could only be flagged."""
    moved: list[Moved[R]] = []
    async with db.transaction():
        now = clock.now()
        for case in cases.overdue(await store.past_due(db, kind.rules.kind, now), now):
            record = await kind.load(db, case.id)
            move = kind.rules.sweep_move(case.status)
            if not kind.rules.transition(move).effects.climbs:
                step = Step(move, Mover.system(), now)
                moved.append(await _commit(db, config, kind, (record, case), step, None, None))
                continue
            route = await _route(db, kind, record, cases.climb_from(case))
            if route is None:
                await store.save(db, cases.flag_overdue(case, now))
                continue
            step = Step(move, Mover.system(), now, overdue=True)
            moved.append(await _commit(db, config, kind, (record, case), step, None, route))
        if kind.second_due is not None:
            climbed = {m.change.after.id for m in moved}
            second_moved, flagged = await _sweep_second(
                db, config, kind, kind.second_due, now, climbed
            )
            moved += second_moved
            if lapsed is not None:
                for flag in flagged:
                    await lapsed(flag)
        if then is not None:
            for each in moved:
                await then(each)
    return moved


async def _sweep_second(
    db: Database,
    config: Config,
    kind: CaseKind[R],
    second: SecondDue,
    now: datetime,
    climbed: set[int],
) -> tuple[list[Moved[R]], list[Lapsed[R]]]:
    """Cases past their second due time climb one level (the sweep's climbing move for their
    status); one that cannot (at the town, or it climbed in this sweep already) is flagged
    overdue; one whose status has no climbing move (waiting for the resident) is left."""
    moved: list[Moved[R]] = []
    flagged: list[Lapsed[R]] = []
    for case_id, token in await second.past_due(db, now):
        await second.lapse(db, token, now)
        case = await store.case(db, kind.rules.kind, case_id)
        move = kind.rules.sweep_moves.get(case.status) if case is not None else None
        if case is None or move is None or not kind.rules.transition(move).effects.climbs:
            continue
        record = await kind.load(db, case_id)
        start = None if case_id in climbed else cases.climb_from(case)
        route = await _route(db, kind, record, start)
        if route is None:
            await store.save(db, cases.flag(case, now, second.action))
            flagged.append(Lapsed(record, second.action, token))
            continue
        step = Step(move, Mover.system(), now, overdue=True, action=second.action)
        moved.append(await _commit(db, config, kind, (record, case), step, None, route))
    return moved, flagged


async def delivered_copies(db: Database, kind: Kind, case_id: int) -> list[tuple[int, int, int]]:
    """The staff copies of a case's notice that arrived: (staff id, chat id, message id)."""
    async with db.reading():
        return await store.delivered_copies(db, kind, case_id)
