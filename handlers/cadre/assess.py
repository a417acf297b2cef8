"""/assess on demand, and how an assessment is sent (text, plus a spreadsheet when the
ranking is too long to read in chat; the monthly run is in scheduler/cadre.py)."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers.cadre.assess_render import assessment_sheet, render_assessment, render_summary
from handlers.callback_data import BadCallbackData, number, pack, pattern, unpack
from handlers.common import current_actor, refuse, texts_for
from models.errors import Refusal
from models.text_limits import split_html
from services import assessment as service
from services.assessment import Assessment
from services.sheets import write_xlsx

log = logging.getLogger(__name__)

PREFIX = "as"
# More parts than this and the chat gets a summary plus the full ranking as a spreadsheet.
MAX_PARTS = 3


async def send_assessment(
    context: GridContext,
    chat_id: int,
    t: Lang,
    found: Assessment,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send the assessment: in full when short, else a summary and the whole as XLSX."""
    rt = context.rt
    send = rt.outbox.send_or_raise
    parts = split_html(render_assessment(t, found))
    # A county's is already a summary (its towns, their first and last workers).
    if len(parts) > MAX_PARTS and not found.towns:
        parts = split_html(render_summary(t, found))
        sheet = assessment_sheet(t, found)
        data = await asyncio.to_thread(write_xlsx, [sheet], rt.config.tz)
        for part in parts:
            await send("sendMessage", chat_id, {"text": part})
        name = f"assessment-{found.unit.code}-{found.span.key}.xlsx"
        document = {
            "document": InputFile(data, filename=name),
            "caption": t("assessment.file_caption"),
            "reply_markup": markup,
        }
        await send("sendDocument", chat_id, document)
        return
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        params = {"text": part, "reply_markup": markup if last else None}
        await send("sendMessage", chat_id, params)


def _buttons(t: Lang, found: Assessment) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("assessment.button_this"), callback_data=pack(PREFIX, found.unit.id, "t")
                ),
                InlineKeyboardButton(
                    t("assessment.button_last"), callback_data=pack(PREFIX, found.unit.id, "l")
                ),
            ]
        ]
    )


async def _show(update: Update, context: GridContext, unit_id: int | None, previous: bool) -> None:
    rt = context.rt
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        found = await service.open_assessment(rt.db, rt.clock, rt.config, actor, unit_id, previous)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    assert update.effective_chat is not None
    await send_assessment(context, update.effective_chat.id, t, found, _buttons(t, found))


async def assess(update: Update, context: GridContext) -> None:
    """This month's assessment so far, with a button for last month."""
    await _show(update, context, None, previous=False)


async def pick(update: Update, context: GridContext) -> None:
    """This month / last month buttons."""
    query = update.callback_query
    assert query is not None
    try:
        unit_id, which = unpack(query.data, PREFIX, 2)
        unit = number(unit_id)
    except BadCallbackData:
        await query.answer(texts_for(context, update)("common.stale_button"), show_alert=True)
        return
    await _show(update, context, unit, previous=which == "l")


def register(app: GridApp) -> None:
    """Add /assess and its buttons."""
    app.add_handler(CommandHandler("assess", assess, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(pick, pattern=pattern(PREFIX)))
