"""Private notices to staff about something to act on, with the group as the fallback.

A worker who never opened the bot (or blocked it) cannot be written to privately: they are
mentioned in their micro-grid's group instead, and the item waits in their /tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Message
from telegram.error import Forbidden, TelegramError

from bot.runtime import GridContext
from bot.storage.groups import group_of_micro_grid
from bot.texts import Lang
from handlers.common import language_for
from models.units import Staff

log = logging.getLogger(__name__)

Send = Callable[[Staff, int, Lang], Awaitable[Message]]
Record = Callable[[Staff, Message | None], Awaitable[None]]


async def notify_staff(
    context: GridContext, staff: list[Staff], send: Send, record: Record
) -> list[Staff]:
    """Send each linked staff member a notice (in their language), record each outcome, and
    return those who could not be reached privately."""
    unreachable = []
    for person in staff:
        if person.tg_user_id is None:
            continue
        t = await language_for(context, person.tg_user_id)
        message: Message | None = None
        try:
            message = await send(person, person.tg_user_id, t)
        except Forbidden:
            unreachable.append(person)
        except TelegramError as exc:
            log.warning("could not send a notice to staff %s: %s", person.code, exc)
            unreachable.append(person)
        await record(person, message)
    return unreachable


async def mention_in_group(
    context: GridContext, micro_grid_id: int | None, staff: list[Staff], key: str, number: str
) -> None:
    """Mention staff who cannot be reached privately in the micro-grid's group (text `key`)."""
    if not staff or micro_grid_id is None:
        return
    async with context.rt.db.reading():
        group = await group_of_micro_grid(context.rt.db, micro_grid_id)
    if group is None or not group.active:
        return
    t = context.rt.lang(None)
    names = t("reports.mention_separator").join(
        t("reports.mention", user_id=s.tg_user_id, name=s.name) for s in staff
    )
    try:
        await context.bot.send_message(group.chat_id, t(key, names=names, number=number))
    except TelegramError as exc:
        log.warning("could not mention staff in group %s: %s", group.chat_id, exc)
