"""Who is this Telegram user to the bot."""

from __future__ import annotations

from bot.storage import grid
from bot.storage.db import Database
from models.permissions import Actor


async def actor_for(db: Database, tg_user_id: int) -> Actor:
    """The actor for a Telegram user: their staff record and units, if linked."""
    async with db.reading(quick=True):  # two indexed reads, on every update
        staff = await grid.staff_by_tg(db, tg_user_id)
        if staff is None:
            return Actor(tg_user_id=tg_user_id)
        units = await grid.units_by_ids(db, staff.unit_ids)
    return Actor(
        tg_user_id=tg_user_id,
        staff=staff,
        units=tuple(u for u in units.values() if u.active),
    )
