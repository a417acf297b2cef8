"""/digest on demand (unit and period by buttons) and the sending of any digest."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.runtime import GridApp, GridContext, Runtime
from bot.texts import Lang
from handlers.cadre.chart import draw_chart
from handlers.cadre.digest_render import chart_data, render_digest, span_label
from handlers.callback_data import BadCallbackData, number, pack, pattern, unpack
from handlers.common import current_actor, refuse, texts_for
from handlers.reports.supervision_render import supervise_rows
from models.digest import SpanKind
from models.errors import Refusal
from models.permissions import Actor
from models.text_limits import MAX_CAPTION, shorten_html, split_html
from models.units import Level
from services import digest as service
from services import groups
from services.digest import Digest

log = logging.getLogger(__name__)

PREFIX = "dg"
KINDS = {"d": SpanKind.DAY, "w": SpanKind.WEEK, "m": SpanKind.MONTH, "q": SpanKind.QUARTER}
CODES = {kind: code for code, kind in KINDS.items()}


async def digest_chart(rt: Runtime, t: Lang, digest: Digest) -> bytes:
    """The digest's chart as PNG, drawn off the event loop."""
    data = chart_data(t, rt.config, digest)
    return await asyncio.to_thread(draw_chart, data, rt.config.cadre.digest.chart_font)


async def send_digest(
    context: GridContext,
    chat_id: int,
    t: Lang,
    digest: Digest,
    chart: bool,
    markup: InlineKeyboardMarkup | None = None,
    png: bytes | None = None,
) -> list[Message]:
    """Send a digest in as many messages as it needs, then its chart when asked."""
    rt = context.rt
    parts = split_html(render_digest(t, rt.config, digest))
    sent = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        params = {"text": part, "reply_markup": markup if last and not chart else None}
        sent.append(await rt.outbox.send_or_raise("sendMessage", chat_id, params))
    if chart and rt.config.cadre.digest.chart:
        png = png or await digest_chart(rt, t, digest)
        caption = t(
            "digest.chart_caption",
            unit=digest.unit.name,
            span=span_label(t, digest.span, rt.config.tz),
        )
        photo = {
            "photo": InputFile(png, filename=f"digest-{digest.span.key}.png"),
            "caption": shorten_html(caption, MAX_CAPTION),
            "reply_markup": markup,
        }
        sent.append(await rt.outbox.send_or_raise("sendPhoto", chat_id, photo))
    return sent


async def _keyboard(
    context: GridContext, t: Lang, actor: Actor, digest: Digest
) -> InlineKeyboardMarkup:
    unit, kind = digest.unit, digest.span.kind
    rows = [
        [
            InlineKeyboardButton(
                t(f"digest.button_{k.value}"), callback_data=pack(PREFIX, unit.id, CODES[k])
            )
            for k in SpanKind
        ]
    ]
    below = [u for u in digest.sub_units if u.level <= Level.GRID and u.id != unit.id]
    buttons = [
        InlineKeyboardButton(u.name, callback_data=pack(PREFIX, u.id, CODES[kind])) for u in below
    ]
    rows += [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    others = [u for u in service.digest_units(actor) if u.id != unit.id]
    if unit.parent_id is not None:
        parent = await groups.unit_by_id(context.rt.db, unit.parent_id)
        if parent is not None and actor.covers(parent):
            others.insert(0, parent)
    rows += [
        [
            InlineKeyboardButton(
                t("digest.button_up", name=u.name), callback_data=pack(PREFIX, u.id, CODES[kind])
            )
        ]
        for u in others[:4]
    ]
    rows += supervise_rows(t, actor, digest.extras.supervision)
    return InlineKeyboardMarkup(rows)


async def _show(update: Update, context: GridContext, unit_id: int | None, kind: SpanKind) -> None:
    rt = context.rt
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        digest = await service.open_digest(rt.db, rt.clock, rt.config, actor, unit_id, kind)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    assert chat is not None
    markup = await _keyboard(context, t, actor, digest)
    await send_digest(context, chat.id, t, digest, chart=kind is SpanKind.WEEK, markup=markup)


async def digest(update: Update, context: GridContext) -> None:
    """Show the digest of my unit for this week, with buttons to change unit and period."""
    await _show(update, context, None, SpanKind.WEEK)


async def pick(update: Update, context: GridContext) -> None:
    """A unit or period button of a digest."""
    query = update.callback_query
    assert query is not None
    try:
        unit_id, code = unpack(query.data, PREFIX, 2)
        unit, kind = number(unit_id), KINDS[code]
    except (BadCallbackData, KeyError):
        await query.answer(texts_for(context, update)("common.stale_button"), show_alert=True)
        return
    await _show(update, context, unit, kind)


def register(app: GridApp) -> None:
    """Add /digest and its buttons."""
    app.add_handler(CommandHandler("digest", digest, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(pick, pattern=pattern(PREFIX)))
