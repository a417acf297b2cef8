"""Home visits on the worker's side: the visit's own checks and time slots, on the case
engine (which also moves a late visit up a level)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.config import Config
from bot.storage import grid
from bot.storage.db import Database
from models.cases import Forbidden, Step
from models.errors import Refusal
from models.pension import RULES, Move, PensionRequest, staff_may, target
from models.permissions import Action, Actor, may
from services import cases
from services.cases import CaseKind
from services.pension import load

Moved = cases.Moved[PensionRequest]


async def check(db: Database, actor: Actor, request: PensionRequest, move: str) -> None:
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
        target(request, Move(move))
    except Forbidden:
        raise cases.moved_on("pension", request.number, request.status.value) from None
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


async def _prepare(db: Database, config: Config, request: PensionRequest, step: Step) -> Step:
    if step.move == Move.SCHEDULE:
        local = step.visit_at.astimezone(config.tz) if step.visit_at else None
        if (
            local is None
            or local.date() not in visit_days(config, step.at)
            or (local.time() not in visit_times(config, step.at, local.date()))
        ):
            raise Refusal("pension.bad_time")
    elif step.move == Move.FAIL and not step.note:
        raise Refusal("pension.reason_needed")
    elif len(step.note) > config.reports.max_note_length:
        limit = config.reports.max_note_length
        raise Refusal("pension.reason_too_long", limit=limit, length=len(step.note))
    return step


# Home visits on the case engine (audited as pension requests).
HOME_VISITS = CaseKind[PensionRequest](
    RULES, "pension", "pension_request", load, check, _prepare, lambda r: r.micro_grid_id
)
