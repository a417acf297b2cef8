"""Pension-authentication help: guidance, home-visit requests, and reading them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, cases, grid, households_link
from bot.storage import groups as group_store
from bot.storage import pension as store
from bot.storage.cases import HistoryStep
from bot.storage.db import Database
from models.cases import CaseEvent, Kind, Mover
from models.errors import Refusal
from models.pension import (
    Mode,
    NewRequest,
    PensionRequest,
    Status,
)
from models.permissions import Actor
from models.units import Level, Staff, Unit
from services.effects import Then
from services.reports.routing import Route, route_from
from services.roster.cells import Invalid, parse_phone

TASKS_LIMIT = 20


@dataclass(frozen=True)
class Details:
    """What the requester told: for whom, the name, the ID number's last 4, a phone."""

    for_self: bool
    person_name: str
    id_last4: str
    phone: str


@dataclass(frozen=True)
class Place:
    """A micro-grid a person belongs to (by household link, or by being in its group)."""

    micro_grid: Unit
    household_id: int | None
    group_title: str


@dataclass(frozen=True)
class RequestView:
    """A request with its place and history, for staff."""

    request: PensionRequest
    micro_grid: Unit | None
    owner: Staff | None
    events: list[HistoryStep]


def check_phone(text: str) -> str:
    """A contact phone as the roster accepts it (mobile or landline), or a refusal."""
    try:
        return parse_phone(text.strip())
    except Invalid:
        raise Refusal("pension.bad_phone") from None


async def places(db: Database, tg_user_id: int) -> list[Place]:
    """Where a home visit for this person's request would go (their micro-grids)."""
    async with db.transaction():
        household = await households_link.household_of(db, tg_user_id)
        if household is not None:
            unit = await grid.unit_by_id(db, household.micro_grid_id)
            if unit is not None and unit.active:
                return [Place(micro_grid=unit, household_id=household.id, group_title="")]
        found = []
        for group in await group_store.groups_of_member(db, tg_user_id):
            unit = await grid.unit_by_id(db, group.micro_grid_id or 0)
            if unit is not None and unit.active:
                found.append(Place(micro_grid=unit, household_id=None, group_title=group.title))
        return found


def _new(
    details: Details,
    mode: Mode,
    status: Status,
    requester: tuple[int, str],
    source: tuple[int, int],
    **where: Any,
) -> NewRequest:
    return NewRequest(
        mode=mode,
        status=status,
        for_self=details.for_self,
        person_name=details.person_name,
        id_last4=details.id_last4,
        phone=details.phone,
        requester_tg_id=requester[0],
        requester_name=requester[1],
        source_chat_id=source[0],
        source_message_id=source[1],
        **{
            "household_id": None,
            "micro_grid_id": None,
            "level": None,
            "unit_id": None,
            "due_at": None,
            **where,
        },
    )


async def guided(
    db: Database,
    clock: Clock,
    details: Details,
    mode: Mode,
    requester: tuple[int, str],
    source: tuple[int, int],
) -> None:
    """Record that the self-service or service-point steps were given (once per message)."""
    async with db.transaction():
        at = clock.now()
        now = to_ts(at)
        known = await places(db, requester[0])
        where = (
            {"micro_grid_id": known[0].micro_grid.id, "household_id": known[0].household_id}
            if len(known) == 1
            else {}
        )
        request_id = await store.add_request(
            db, _new(details, mode, Status.GUIDED, requester, source, **where), now
        )
        if request_id is not None:
            guided = CaseEvent(
                "guided", None, Status.GUIDED, None, Mover(f"tg:{requester[0]}"), at, mode.value
            )
            await cases.add_event(db, Kind.HOME_VISIT, request_id, guided)


async def request_visit(
    db: Database,
    clock: Clock,
    config: Config,
    details: Details,
    micro_grid_id: int,
    requester: tuple[int, str],
    source: tuple[int, int],
    then: Then[tuple[PensionRequest, Route]] | None = None,
) -> tuple[PensionRequest, Route] | None:
    """File a home-visit request to the micro-grid's worker; None if this message filed one.
    `then` (the caller's notices of it) runs in the filing's transaction."""
    async with db.transaction():
        place = next(
            (p for p in await places(db, requester[0]) if p.micro_grid.id == micro_grid_id), None
        )
        if place is None:
            raise Refusal("pension.no_place")
        route = await route_from(db, place.micro_grid, Level.MICRO_GRID)
        now = clock.now()
        due = now + config.flows.pension.visit_within.at(route.level)
        new = _new(
            details,
            Mode.HOME_VISIT,
            Status.OPEN,
            requester,
            source,
            household_id=place.household_id,
            micro_grid_id=place.micro_grid.id,
            level=route.level,
            unit_id=route.unit.id,
            due_at=due,
        )
        request_id = await store.add_request(db, new, to_ts(now))
        if request_id is None:
            return None
        asked = CaseEvent(
            "requested", None, Status.OPEN, route.level, Mover(f"tg:{requester[0]}"), now
        )
        await cases.add_event(db, Kind.HOME_VISIT, request_id, asked)
        await audit.record(
            db,
            to_ts(now),
            f"tg:{requester[0]}",
            "pension.request",
            "pension_request",
            request_id,
            unit=route.unit.code,
        )
        made = await store.request(db, request_id)
        assert made is not None
        if then is not None:
            await then((made, route))
        return made, route


async def load(db: Database, request_id: int) -> PensionRequest:
    """The request, or a refusal when the number is unknown."""
    found = await store.request(db, request_id)
    if found is None:
        raise Refusal("pension.unknown", number=f"P{request_id}")
    return found


async def tasks(db: Database, actor: Actor) -> list[PensionRequest]:
    """Open home visits waiting at this staff member's units or scheduled by them."""
    assert actor.staff is not None
    async with db.transaction():
        return await store.open_tasks(
            db, actor.staff.id, tuple(u.id for u in actor.units), TASKS_LIMIT
        )


async def view(db: Database, request_id: int) -> RequestView:
    """A request with its micro-grid, the staff member who has it, and its history."""
    async with db.transaction():
        found = await load(db, request_id)
        unit = await grid.unit_by_id(db, found.micro_grid_id) if found.micro_grid_id else None
        owner = await grid.staff_by_id(db, found.owner_staff_id) if found.owner_staff_id else None
        return RequestView(
            request=found,
            micro_grid=unit,
            owner=owner,
            events=await cases.history(db, Kind.HOME_VISIT, [found.id]),
        )


async def staff_to_tell(db: Database, request: PensionRequest) -> list[Staff]:
    """The linked staff of the unit where a home visit waits now."""
    async with db.transaction():
        if request.unit_id is None:
            return []
        return [s for s in await grid.staff_of_unit(db, request.unit_id) if s.tg_user_id]
