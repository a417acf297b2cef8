"""Telling people about reports, as outbox rows: the workers who must act, the resident who
filed, and the refreshed buttons on every worker's copy."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.runtime import GridContext
from bot.storage import reports as report_store
from bot.texts import Lang
from handlers.common import language_for
from handlers.reports.render import resident_buttons, staff_buttons, staff_card
from handlers.staff_notices import Card, message, post, staff_notices
from models.chats import addressable
from models.outbox import Notice, Recipient
from models.reports import Move, Report
from models.units import Staff
from services.reports import views


def subject_of(report: Report) -> str:
    """The outbox subject of a report's notices."""
    return f"report:{report.id}"


async def staff_notices_for(
    context: GridContext, key: str, report: Report, staff: list[Staff]
) -> list[Notice]:
    """The report with its buttons for each staff member; a group mention as the fallback."""
    rt = context.rt

    async def render(person: Staff, t: Lang) -> Card:
        text = staff_card(rt, t, await views.staff_view(rt.db, report, person))
        return Card(text, staff_buttons(t, report), report.photo_file_id)

    return await staff_notices(
        context,
        key,
        subject_of(report),
        staff,
        render,
        report.micro_grid_id,
        "reports.mention_staff",
        report.number,
    )


async def tell_staff(context: GridContext, report: Report, staff: list[Staff]) -> None:
    """Enqueue a newly filed report's notices to the staff who must act."""
    notices = await staff_notices_for(context, f"report:{report.id}:filed", report, staff)
    await post(context, list(notices))


def resident_notice(
    key: str, report: Report, text: str, markup: InlineKeyboardMarkup | None = None
) -> Notice:
    """A notice to the resident in the chat they filed from, as a reply to their report."""
    return message(
        f"{key}:resident",
        report.source_chat_id,
        text,
        Recipient.RESIDENT,
        subject_of(report),
        markup,
        reply_to=addressable(report.source_message_id),
    )


async def refresh_notices(context: GridContext, key: str, report: Report) -> list[Notice]:
    """Edits putting the buttons allowed now on every worker's delivered copy."""
    rt = context.rt
    async with rt.db.reading():
        copies = await report_store.delivered_notices(rt.db, report.id)
    notices = []
    for chat_id, message_id in copies:
        t = await language_for(context, chat_id)
        params: dict[str, object] = {"message_id": message_id}
        markup = staff_buttons(t, report)
        if markup is not None:
            params["reply_markup"] = markup.to_dict()
        notices.append(
            Notice(
                f"{key}:refresh:{chat_id}:{message_id}",
                "editMessageReplyMarkup",
                chat_id,
                params,
                Recipient.STAFF,
                subject_of(report),
            )
        )
    return notices


def resolution_markup(context: GridContext, report: Report) -> InlineKeyboardMarkup:
    """Confirm / Reopen buttons for the resident."""
    return resident_buttons(context.rt.lang(None), report)


__all__ = [
    "Move",
    "refresh_notices",
    "resident_notice",
    "resolution_markup",
    "staff_notices_for",
    "tell_staff",
]
