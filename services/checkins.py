"""Checking in: a shared location marks presence in the grid for the week (flagged when it
lies far outside every recorded area of the staff member's units)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit
from bot.storage import contacts as contact_store
from bot.storage import drafts as draft_store
from bot.storage.db import Database
from models.contacts import place_checkin as place
from models.periods import week_of
from models.permissions import Action, Actor
from services.logbook_state import CheckedIn, Flow, Step, allowed


async def begin_checkin(db: Database, clock: Clock, config: Config, actor: Actor) -> Flow:
    """Start a check-in: the next shared location is it."""
    allowed(actor, Action.CHECKIN)
    now = clock.now()
    async with db.transaction():
        draft = await draft_store.start(db, actor.tg_user_id, "checkin", Step.CHECKIN, to_ts(now))
        return Flow(draft=draft)


async def check_in(
    db: Database, config: Config, actor: Actor, now: datetime, lat: float, lon: float
) -> Flow:
    """Store the check-in and end the flow (in the caller's transaction)."""
    assert actor.staff is not None
    placement = place(actor.units, lat, lon, config.households.checkin_tolerance_m)
    checkin_id = await contact_store.add_checkin(
        db,
        actor.staff.id,
        placement.unit_id,
        lat,
        lon,
        placement.distance_m,
        placement.flagged,
        to_ts(now),
    )
    await audit.record(
        db,
        to_ts(now),
        f"staff:{actor.staff.code}",
        "household.checkin",
        "checkin",
        checkin_id,
        flagged=placement.flagged,
    )
    await draft_store.drop(db, actor.tg_user_id)
    unit = next((u for u in actor.units if u.id == placement.unit_id), None)
    return Flow(
        draft=None,
        checked_in=CheckedIn(placement=placement, unit=unit, week=week_of(now, config.tz)),
    )
