"""/export: the town's records as an XLSX workbook or zipped CSV files (L1 only); a county
cadre chooses a town or the whole county (one file per town, zipped)."""

from __future__ import annotations

import asyncio
import io
import zipfile

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers.callback_data import BadCallbackData, number, pack, pattern, unpack_any
from handlers.common import current_actor, refuse, reply, texts_for
from handlers.format import local_time
from models.errors import Refusal
from models.permissions import Action, may
from services import export as service
from services.sheets import Sheet, write_csv_zip, write_xlsx

PREFIX = "ex"
# A county cadre's choice of scope (`ex:s:<town id>`, 0 for the whole county), then the
# format with it (`ex:x:<town id>`).
SCOPE = "s"
WHOLE_COUNTY = 0


def _formats(t: Lang, *scope: int) -> InlineKeyboardMarkup:
    """The format buttons (carrying the chosen town, if any)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("export.button_xlsx"), callback_data=pack(PREFIX, "x", *scope)
                ),
                InlineKeyboardButton(
                    t("export.button_csv"), callback_data=pack(PREFIX, "c", *scope)
                ),
            ]
        ]
    )


async def export(update: Update, context: GridContext) -> None:
    """Offer the export formats (a county cadre first chooses a town or the county)."""
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    if not may(actor, Action.EXPORT):
        await refuse(update, t, Refusal("common.not_allowed"))
        return
    towns = await service.export_towns(context.rt.db, actor)
    if towns:
        buttons = [
            InlineKeyboardButton(u.name, callback_data=pack(PREFIX, SCOPE, u.id)) for u in towns
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        whole = InlineKeyboardButton(
            t("county.export_whole"), callback_data=pack(PREFIX, SCOPE, WHOLE_COUNTY)
        )
        await reply(
            update, t("county.export_choose"), reply_markup=InlineKeyboardMarkup([*rows, [whole]])
        )
        return
    await reply(update, t("export.choose"), reply_markup=_formats(t))


async def _scope(update: Update, context: GridContext, t: Lang, town_id: int) -> None:
    """A county cadre chose a town (or the whole county): now the format."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await reply(update, t("export.choose"), reply_markup=_formats(t, town_id))


async def make(update: Update, context: GridContext) -> None:
    """Answer the press, then build the chosen file from a snapshot and send it."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    rt = context.rt
    t = texts_for(context, update)
    try:
        fmt, *chosen = unpack_any(query.data, PREFIX, 1, 2)
        town_id = number(chosen[0]) if chosen else None
        if fmt not in ("x", "c", SCOPE) or (fmt == SCOPE and town_id is None):
            raise BadCallbackData(query.data)
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    actor = await current_actor(context, update)
    try:
        service.export_scope(actor)
        if town_id == WHOLE_COUNTY and not await service.export_towns(rt.db, actor):
            raise Refusal("common.not_allowed")
        if town_id:
            await service.town_in_scope(rt.db, actor, town_id)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if fmt == SCOPE:
        assert town_id is not None
        await _scope(update, context, t, town_id)
        return
    # Answer the press at once: building the file takes a while in a big town.
    await query.answer(t("export.working"))
    if town_id == WHOLE_COUNTY:
        await _whole_county(update, context, t, fmt)
        return
    sheets = await service.export_for(rt.db, rt.config, t, actor, town_id)
    now = rt.clock.now()
    stamp = now.astimezone(rt.config.tz).strftime("%Y%m%d-%H%M")
    if fmt == "c":
        data = await asyncio.to_thread(write_csv_zip, sheets, rt.config.tz)
        name = f"export-{stamp}.zip"
    else:
        data = await asyncio.to_thread(write_xlsx, sheets, rt.config.tz)
        name = f"export-{stamp}.xlsx"
    unit = sorted(actor.units, key=lambda u: u.level)[0].name if actor.units else ""
    if town_id is not None:
        name = f"export-{town_id}-{stamp}" + (".zip" if fmt == "c" else ".xlsx")
        unit = next(
            (u.name for u in await service.export_towns(rt.db, actor) if u.id == town_id), unit
        )
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


async def _whole_county(update: Update, context: GridContext, t: Lang, fmt: str) -> None:
    """The whole county: one file per town (written before the next town is read), zipped."""
    rt = context.rt
    assert update.effective_chat is not None
    actor = await current_actor(context, update)

    async def write(sheets: list[Sheet]) -> bytes:
        writer = write_csv_zip if fmt == "c" else write_xlsx
        return await asyncio.to_thread(writer, sheets, rt.config.tz)

    files = await service.export_county(rt.db, rt.config, t, actor, write)
    now = rt.clock.now()
    stamp = now.astimezone(rt.config.tz).strftime("%Y%m%d-%H%M")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for town, data, _ in files:
            archive.writestr(
                f"{town.short or town.code}-{stamp}" + (".zip" if fmt == "c" else ".xlsx"), data
            )
    county = sorted(actor.units, key=lambda u: u.level)[0].name if actor.units else ""
    caption = t(
        "county.export_caption",
        unit=county,
        when=local_time(rt, now),
        towns=len(files),
        rows=sum(rows for _, _, rows in files),
    )
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(out.getvalue(), filename=f"export-county-{stamp}.zip"),
        caption=caption,
    )


def register(app: GridApp) -> None:
    """Add /export and its format buttons."""
    app.add_handler(CommandHandler("export", export, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(make, pattern=pattern(PREFIX)))
