"""The link between a Telegram user and their household (approved by the worker)."""

from __future__ import annotations

from bot.storage.db import Database
from models.units import Household


async def household_of(db: Database, tg_user_id: int) -> Household | None:
    """The active household this person is linked to, if any."""
    row = await db.fetchone(
        "SELECT h.id, h.code, h.micro_grid_id, h.head_name, h.address, h.phone, h.members, "
        "h.tags, h.pension_month, h.active FROM people p JOIN households h "
        "ON h.id = p.household_id WHERE p.tg_user_id = ? AND h.active = 1",
        (tg_user_id,),
    )
    if row is None:
        return None
    data = dict(row)
    data["tags"] = tuple(data["tags"].split())
    return Household(**data)


async def residents_of(db: Database, household_id: int) -> list[int]:
    """The Telegram users linked to this household, the first linked first."""
    rows = await db.fetchall(
        "SELECT tg_user_id FROM people WHERE household_id = ? ORDER BY first_seen_at, tg_user_id",
        (household_id,),
    )
    return [int(r["tg_user_id"]) for r in rows]
