"""The language to write to a person in, from what the bot has seen of them."""

from __future__ import annotations

from bot.runtime import GridContext
from bot.storage import people
from handlers.common import pick_language


async def language_for(context: GridContext, tg_user_id: int) -> str:
    """The language of private messages to this person."""
    db = context.rt.db
    async with db.transaction():
        code = await people.language_of(db, tg_user_id)
    return pick_language(context.rt, code)
