"""/join: a resident asks to be linked to their household; a worker of it approves or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, from_ts, to_ts
from bot.storage import audit, grid, people
from bot.storage import contacts as contact_store
from bot.storage import groups as group_store
from bot.storage import households as household_store
from bot.storage import link_requests as store
from bot.storage.db import Database
from bot.storage.households_link import household_of
from bot.storage.link_requests import LinkRequest
from models.contacts import Household
from models.errors import Refusal, TextKey
from models.permissions import Action, Actor, may
from models.units import Level, Staff, Unit
from services.effects import Then
from services.reports.routing import route_from

# /tasks shows at most this many requests waiting for approval.
PENDING_LIMIT = 10


@dataclass(frozen=True)
class JoinList:
    """The households of the group's micro-grid, and the person's current link."""

    unit: Unit
    households: list[Household]
    current: Household | None
    last_contact: datetime | None
    last_visit: datetime | None


@dataclass(frozen=True)
class Requested:
    """A request just made, and the staff who may approve it."""

    request: LinkRequest
    household: Household
    unit: Unit
    approvers: list[Staff]


@dataclass(frozen=True)
class Decided:
    """A request approved or declined, and whether the resident can be told privately."""

    request: LinkRequest
    household: Household
    approved: bool
    by: Staff
    reachable: bool
    language: str | None


async def _group_unit(db: Database, chat_id: int, tg_user_id: int) -> Unit:
    group = await group_store.group(db, chat_id)
    if group is None or not group.active or group.micro_grid_id is None:
        raise Refusal("households.join_unbound")
    unit = await grid.unit_by_id(db, group.micro_grid_id)
    if unit is None or not unit.active:
        raise Refusal("households.join_unbound")
    if not await group_store.is_member(db, chat_id, tg_user_id):
        raise Refusal("households.join_not_member")
    return unit


async def join_list(db: Database, chat_id: int, tg_user_id: int) -> JoinList:
    """What /join shows in a group."""
    async with db.transaction():
        unit = await _group_unit(db, chat_id, tg_user_id)
        current = await household_of(db, tg_user_id)
        last_contact = last_visit = None
        if current is not None:
            contact_ts, visit_ts = await contact_store.latest_for_household(db, current.id)
            last_contact = from_ts(contact_ts) if contact_ts else None
            last_visit = from_ts(visit_ts) if visit_ts else None
        mine = await household_store.household(db, current.id) if current else None
        return JoinList(
            unit=unit,
            households=await household_store.of_micro_grid(db, unit.id),
            current=mine,
            last_contact=last_contact,
            last_visit=last_visit,
        )


async def request_link(
    db: Database,
    clock: Clock,
    chat_id: int,
    tg_user_id: int,
    name: str,
    household_id: int,
    then: Then[Requested] | None = None,
) -> Requested:
    """The resident picked their household: a pending request for its workers. `then` (the
    caller's notices of it) runs in the request's transaction."""
    now = to_ts(clock.now())
    async with db.transaction():
        unit = await _group_unit(db, chat_id, tg_user_id)
        household = await household_store.household(db, household_id)
        if household is None or household.micro_grid_id != unit.id:
            raise Refusal("households.join_stale")
        current = await household_of(db, tg_user_id)
        if current is not None and current.id == household.id:
            raise Refusal("households.join_already", name=household.head_name)
        request = await store.add(db, tg_user_id, name, household.id, unit.id, chat_id, now)
        route = await route_from(db, unit, Level.MICRO_GRID)
        await audit.record(
            db,
            now,
            f"tg:{tg_user_id}",
            "household.link_request",
            "household_link_request",
            request.id,
            household=household.code,
        )
        requested = Requested(
            request=request, household=household, unit=unit, approvers=route.staff
        )
        if then is not None:
            await then(requested)
        return requested


async def decide(
    db: Database,
    clock: Clock,
    actor: Actor,
    request_id: int,
    approve: bool,
    then: Then[Decided] | None = None,
) -> Decided:
    """A worker approves (the person is linked) or declines a request of their subtree.
    `then` (the caller's notice of it) runs in the decision's transaction."""
    now = to_ts(clock.now())
    async with db.transaction():
        request = await store.request(db, request_id)
        unit = await grid.unit_by_id(db, request.micro_grid_id) if request else None
        if request is None or unit is None:
            raise Refusal("households.link_gone")
        if not may(actor, Action.APPROVE_LINK, unit) or actor.staff is None:
            raise Refusal("households.link_not_yours")
        if request.status != "pending":
            raise Refusal(
                "households.link_decided", status=TextKey(f"households.status_{request.status}")
            )
        household = await household_store.household(db, request.household_id)
        if household is None:
            raise Refusal("households.link_gone")
        status = "approved" if approve else "declined"
        await store.decide(db, request.id, status, actor.staff.id, now)
        if approve:
            await store.link_person(db, request.tg_user_id, request.display_name, household.id, now)
        await audit.record(
            db,
            now,
            f"staff:{actor.staff.code}",
            f"household.link_{status}",
            "household_link_request",
            request.id,
            household=household.code,
            tg_user_id=request.tg_user_id,
        )
        decided = await store.request(db, request.id)
        assert decided is not None
        outcome = Decided(
            request=decided,
            household=household,
            approved=approve,
            by=actor.staff,
            reachable=await people.has_started(db, request.tg_user_id),
            language=await people.language_of(db, request.tg_user_id),
        )
        if then is not None:
            await then(outcome)
        return outcome


async def pending_for(db: Database, actor: Actor) -> list[tuple[LinkRequest, Household]]:
    """Pending /join requests of the micro-grids in the actor's subtree, oldest first."""
    if not may(actor, Action.APPROVE_LINK):
        return []
    async with db.transaction():
        found = []
        for request in await store.pending_within(db, actor.units, PENDING_LIMIT):
            household = await household_store.household(db, request.household_id)
            if household is not None:
                found.append((request, household))
        return found
