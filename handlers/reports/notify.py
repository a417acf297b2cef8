"""Telling people about reports: the workers who must act, the resident who filed."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError

from bot.clock import to_ts
from bot.runtime import GridContext
from bot.storage import reports as report_store
from bot.texts import Lang
from handlers.common import language_for
from handlers.reports.render import resident_buttons, staff_buttons, staff_card
from handlers.staff_notices import mention_in_group, notify_staff
from models.chats import addressable
from models.reports import Move, Report
from models.units import Staff
from services.reports import views

log = logging.getLogger(__name__)


async def tell_staff(context: GridContext, report: Report, staff: list[Staff]) -> list[Staff]:
    """Send each staff member the report with its buttons; returns those unreachable."""
    rt = context.rt

    async def send(person: Staff, chat_id: int, t: Lang) -> Message:
        text = staff_card(rt, t, await views.staff_view(rt.db, report, person))
        if report.photo_file_id:
            return await context.bot.send_photo(
                chat_id,
                report.photo_file_id,
                caption=text[:1024],
                reply_markup=staff_buttons(t, report),
            )
        return await context.bot.send_message(chat_id, text, reply_markup=staff_buttons(t, report))

    async def record(person: Staff, message: Message | None) -> None:
        async with rt.db.transaction():
            await report_store.add_notice(
                rt.db,
                report.id,
                person.id,
                person.tg_user_id,
                message.message_id if message else None,
                message is not None,
                to_ts(rt.clock.now()),
            )

    unreachable = await notify_staff(context, staff, send, record)
    await mention_in_group(
        context, report.micro_grid_id, unreachable, "reports.mention_staff", report.number
    )
    return unreachable


async def tell_resident(
    context: GridContext, report: Report, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Tell the resident in the chat they filed from, as a reply to their report."""
    try:
        await context.bot.send_message(
            report.source_chat_id,
            text,
            reply_markup=markup,
            reply_to_message_id=addressable(report.source_message_id),
            allow_sending_without_reply=True,
        )
    except TelegramError as exc:
        log.warning("could not tell the resident of report %s: %s", report.id, exc)


async def refresh_staff_messages(context: GridContext, report: Report) -> None:
    """Update the buttons on every worker's copy of the report to what is allowed now."""
    rt = context.rt
    async with rt.db.transaction():
        notices = await report_store.delivered_notices(rt.db, report.id)
    for chat_id, message_id in notices:
        t = await language_for(context, chat_id)
        try:
            await context.bot.edit_message_reply_markup(
                chat_id, message_id, reply_markup=staff_buttons(t, report)
            )
        except BadRequest as exc:
            if "not modified" not in str(exc):
                log.info("could not refresh report %s in %s: %s", report.id, chat_id, exc)
        except TelegramError as exc:
            log.info("could not refresh report %s in %s: %s", report.id, chat_id, exc)


def resolution_markup(context: GridContext, report: Report) -> InlineKeyboardMarkup:
    """Confirm / Reopen buttons for the resident."""
    return resident_buttons(context.rt.lang(None), report)


__all__ = [
    "Move",
    "refresh_staff_messages",
    "resolution_markup",
    "tell_resident",
    "tell_staff",
]
