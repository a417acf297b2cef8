"""Telling people about reports: the workers who must act, the resident who filed."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import to_ts
from bot.runtime import GridContext
from bot.storage import reports as report_store
from bot.storage.groups import group_of_micro_grid
from handlers.common import language_for
from handlers.reports.render import resident_buttons, staff_buttons, staff_card
from models.reports import Move, Report
from models.units import Staff
from services.reports import views

log = logging.getLogger(__name__)


async def _group_title(context: GridContext, report: Report) -> tuple[int | None, str]:
    db = context.rt.db
    async with db.reading():
        group = await group_of_micro_grid(db, report.micro_grid_id)
    if group is None or not group.active:
        return None, ""
    return group.chat_id, group.title


async def tell_staff(context: GridContext, report: Report, staff: list[Staff]) -> list[Staff]:
    """Send each staff member the report with its buttons; returns those unreachable."""
    rt = context.rt
    unreachable = []
    for person in staff:
        if person.tg_user_id is None:
            continue
        t = await language_for(context, person.tg_user_id)
        view = await views.staff_view(rt.db, report, person)
        text = staff_card(rt, t, view)
        message: Message | None = None
        try:
            if report.photo_file_id:
                message = await context.bot.send_photo(
                    person.tg_user_id,
                    report.photo_file_id,
                    caption=text[:1024],
                    reply_markup=staff_buttons(t, report),
                )
            else:
                message = await context.bot.send_message(
                    person.tg_user_id, text, reply_markup=staff_buttons(t, report)
                )
        except Forbidden:
            unreachable.append(person)
        except TelegramError as exc:
            log.warning("could not send report %s to staff %s: %s", report.id, person.code, exc)
            unreachable.append(person)
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
    if unreachable:
        await mention_in_group(context, report, unreachable)
    return unreachable


async def mention_in_group(context: GridContext, report: Report, staff: list[Staff]) -> None:
    """Mention staff who cannot be reached privately in the micro-grid's group."""
    chat_id, _ = await _group_title(context, report)
    if chat_id is None:
        return
    t = context.rt.lang(None)
    names = t("reports.mention_separator").join(
        t("reports.mention", user_id=s.tg_user_id, name=s.name) for s in staff
    )
    try:
        await context.bot.send_message(
            chat_id, t("reports.mention_staff", names=names, number=report.number)
        )
    except TelegramError as exc:
        log.warning("could not mention staff in group %s: %s", chat_id, exc)


async def tell_resident(
    context: GridContext, report: Report, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Tell the resident in the chat they filed from, as a reply to their report."""
    try:
        await context.bot.send_message(
            report.source_chat_id,
            text,
            reply_markup=markup,
            reply_to_message_id=report.source_message_id,
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
    "mention_in_group",
    "refresh_staff_messages",
    "resolution_markup",
    "tell_resident",
    "tell_staff",
]
