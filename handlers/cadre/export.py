"""/export: the town's records as an XLSX workbook or zipped CSV files (L1 only)."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.runtime import GridApp, GridContext
from handlers.callback_data import BadCallbackData, pack, pattern, unpack
from handlers.common import current_actor, refuse, reply, texts_for
from handlers.format import local_time
from models.errors import Refusal
from models.permissions import Action, may
from services import export as service
from services.sheets import write_csv_zip, write_xlsx

PREFIX = "ex"


async def export(update: Update, context: GridContext) -> None:
    """Offer the export formats."""
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    if not may(actor, Action.EXPORT):
        await refuse(update, t, Refusal("common.not_allowed"))
        return
    await reply(
        update,
        t("export.choose"),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t("export.button_xlsx"), callback_data=pack(PREFIX, "x")),
                    InlineKeyboardButton(t("export.button_csv"), callback_data=pack(PREFIX, "c")),
                ]
            ]
        ),
    )


async def make(update: Update, context: GridContext) -> None:
    """Answer the press, then build the chosen file from a snapshot and send it."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    rt = context.rt
    t = texts_for(context, update)
    try:
        (fmt,) = unpack(query.data, PREFIX, 1)
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    actor = await current_actor(context, update)
    try:
        service.export_scope(actor)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    # Answer the press at once: building the file takes a while in a big town.
    await query.answer(t("export.working"))
    sheets = await service.export_for(rt.db, rt.config, t, actor)
    now = rt.clock.now()
    stamp = now.astimezone(rt.config.tz).strftime("%Y%m%d-%H%M")
    if fmt == "c":
        data = await asyncio.to_thread(write_csv_zip, sheets, rt.config.tz)
        name = f"export-{stamp}.zip"
    else:
        data = await asyncio.to_thread(write_xlsx, sheets, rt.config.tz)
        name = f"export-{stamp}.xlsx"
    unit = sorted(actor.units, key=lambda u: u.level)[0].name if actor.units else ""
    caption = t(
        "export.caption",
        unit=unit,
        when=local_time(rt, now),
        sheets=len(sheets),
        rows=sum(len(s.rows) for s in sheets),
    )
    await context.bot.send_document(
        update.effective_chat.id, InputFile(data, filename=name), caption=caption
    )


def register(app: GridApp) -> None:
    """Add /export and its format buttons."""
    app.add_handler(CommandHandler("export", export, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(make, pattern=pattern(PREFIX)))
