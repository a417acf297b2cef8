"""Home visits on the worker's side: checks, scheduling, done / could not complete, and the
deadline sweep that moves a late visit up a level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, grid
from bot.storage import pension as store
from bot.storage.db import Database
from bot.storage.reports import claim_press
from models.errors import Refusal, TextKey
from models.pension import (
    Forbidden,
    Move,
    PensionRequest,
    Status,
    escalation_level,
    staff_may,
    target,
)
from models.permissions import Action, Actor, may
from models.units import Staff
from services.pension import load
from services.reports.routing import Route, route_from


@dataclass(frozen=True)
class Moved:
    """A request before and after a move, who made it, and where it went."""

    before: PensionRequest
    after: PensionRequest
    move: str
    by: Staff | None = None
    route: Route | None = None
    event_id: int = 0  # the history step it wrote (names the notices it causes)


async def check(db: Database, actor: Actor, request: PensionRequest, move: Move) -> None:
    """Refuse unless `actor` may make `move` on the request now.

    Whether the actor may handle the request at all comes first: the refusal for a request
    that moved on names its status, which is not for everyone to learn.
    """
    mine = Refusal("pension.not_yours", number=request.number)
    unit = await grid.unit_by_id(db, request.micro_grid_id or 0)
    if (
        actor.staff is None
        or unit is None
        or not may(actor, Action.HANDLE_PENSION, unit)
        or not actor.covers(unit)
    ):
        raise mine
    try:
        target(request, move)
    except Forbidden:
        raise Refusal(
            "pension.moved_on",
            number=request.number,
            status=TextKey(f"pension.status_{request.status.value}"),
        ) from None
    if not staff_may(request, actor.staff.level, actor.covers(unit)):
        raise mine


async def ensure(db: Database, actor: Actor, request_id: int, move: Move) -> PensionRequest:
    """The request, when `actor` may make `move` on it now (before asking for more)."""
    async with db.transaction():
        found = await load(db, request_id)
        await check(db, actor, found, move)
        return found


def visit_days(config: Config, now: datetime) -> list[date]:
    """The days a visit may be scheduled on: from today, those with a time slot left."""
    local = now.astimezone(config.tz)
    days = [local.date() + timedelta(days=n) for n in range(config.flows.pension.schedule_days)]
    return [d for d in days if visit_times(config, now, d)]


def visit_times(config: Config, now: datetime, day: date) -> list[time]:
    """The configured time slots still ahead on `day` (town time)."""
    return [
        slot for slot in config.flows.pension.slots if datetime.combine(day, slot, config.tz) > now
    ]


async def apply(
    db: Database,
    clock: Clock,
    config: Config,
    actor: Actor,
    request_id: int,
    move: Move,
    *,
    visit_at: datetime | None = None,
    note: str = "",
    press_id: str | None = None,
) -> Moved | None:
    """Make `move` on a home visit as `actor`, after every check; None for a repeated press."""
    async with db.transaction():
        now = clock.now()
        if press_id is not None and not await claim_press(db, press_id, to_ts(now)):
            return None
        before = await load(db, request_id)
        await check(db, actor, before, move)
        assert actor.staff is not None
        changes: dict[str, Any] = {
            "status": target(before, move).value,
            "owner_staff_id": actor.staff.id,
        }
        note = note.strip()
        if move is Move.SCHEDULE:
            local = visit_at.astimezone(config.tz) if visit_at else None
            if (
                local is None
                or local.date() not in visit_days(config, now)
                or (local.time() not in visit_times(config, now, local.date()))
            ):
                raise Refusal("pension.bad_time")
            changes["visit_at"] = visit_at
        elif move is Move.FAIL and not note:
            raise Refusal("pension.reason_needed")
        elif len(note) > config.reports.max_note_length:
            limit = config.reports.max_note_length
            raise Refusal("pension.reason_too_long", limit=limit, length=len(note))
        else:
            changes |= {"closed_at": to_ts(now), "due_at": None, "outcome_note": note}
        at = to_ts(now)
        await store.update_request(db, before.id, at, **changes)
        who = f"staff:{actor.staff.code}"
        event_id = await store.add_event(
            db,
            before.id,
            at,
            move.value,
            before.status.value,
            changes["status"],
            int(before.level or 0),
            who,
            actor.staff.id,
            visit_at=visit_at if move is Move.SCHEDULE else None,
            note=note,
        )
        await audit.record(
            db, at, who, f"pension.{move.value}", "pension_request", before.id, note=note
        )
        after = await load(db, before.id)
        return Moved(before=before, after=after, move=move.value, by=actor.staff, event_id=event_id)


async def sweep(db: Database, clock: Clock, config: Config) -> list[Moved]:
    """Escalate every home visit past its deadline one level, once per breach (idempotent)."""
    moved: list[Moved] = []
    async with db.transaction():
        now = clock.now()
        at = to_ts(now)
        for before in await store.past_due(db, at):
            up = escalation_level(before)
            unit = await grid.unit_by_id(db, before.micro_grid_id or 0)
            if up is None or unit is None:
                await store.update_request(db, before.id, at, overdue=1, due_at=None)
                await store.add_event(
                    db,
                    before.id,
                    at,
                    "overdue",
                    before.status.value,
                    before.status.value,
                    int(before.level or 0),
                    "system",
                    None,
                )
                continue
            route = await route_from(db, unit, up)
            await store.update_request(
                db,
                before.id,
                at,
                status=Status.OPEN.value,
                level=int(route.level),
                unit_id=route.unit.id,
                owner_staff_id=None,
                visit_at=None,
                overdue=1,
                escalations=before.escalations + 1,
                due_at=now + config.flows.pension.visit_within.at(route.level),
            )
            event_id = await store.add_event(
                db,
                before.id,
                at,
                "escalate_overdue",
                before.status.value,
                Status.OPEN.value,
                int(route.level),
                "system",
                None,
            )
            await audit.record(
                db,
                at,
                "system",
                "pension.escalate_overdue",
                "pension_request",
                before.id,
                unit=route.unit.code,
            )
            after = await load(db, before.id)
            moved.append(
                Moved(before=before, after=after, move="escalate", route=route, event_id=event_id)
            )
    return moved
