"""People the bot meets: who opened the bot, who is in which group."""

from __future__ import annotations

from bot.clock import Clock, to_ts
from bot.storage import grid, people
from bot.storage.db import Database
from models.units import Staff


async def seen(
    db: Database,
    clock: Clock,
    tg_user_id: int,
    display_name: str,
    username: str | None,
    language: str | None,
    *,
    started: bool = False,
    in_group: int | None = None,
    left_group: int | None = None,
) -> None:
    """Record a person, that they opened the bot, and their group membership."""
    if left_group is None:
        # Most updates come from people the bot already knows: a read is enough then.
        async with db.reading(quick=True):
            if await people.is_current(
                db, tg_user_id, display_name, username, language, started, in_group
            ):
                return
    await people.note_person(
        db,
        tg_user_id,
        display_name,
        username,
        language,
        to_ts(clock.now()),
        started=started,
        in_group=in_group,
        left_group=left_group,
    )


async def language_of(db: Database, tg_user_id: int) -> str | None:
    """The Telegram language code this person last came with (None: not known)."""
    async with db.reading():
        return await people.language_of(db, tg_user_id)


async def staff_by_id(db: Database, staff_id: int) -> Staff | None:
    """A staff member by id (None: no such one)."""
    async with db.reading():
        return await grid.staff_by_id(db, staff_id)
