"""/announce: pick a unit, write (or forward) the text, preview, confirm; delivery runs in the
background (handlers.cadre.delivery)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers.cadre.delivery import announcement_text, header, resume_announcements
from handlers.callback_data import BadCallbackData, number, pack, pattern, unpack
from handlers.common import current_actor, refuse, reply, set_buttons, texts_for
from handlers.private_text import Owner, asked, owner
from models.errors import Refusal
from models.text_limits import utf16_len
from services import announcements as service
from services.announcements import Choice

PREFIX = "an"
# Runs beside the feature handlers of group 0: it only acts on a text that
# handlers.private_text gives to the announcement being written.
TEXT_GROUP = 6

__all__ = ["register", "resume_announcements"]


def picker_buttons(t: Lang, found: Choice) -> InlineKeyboardMarkup:
    """Send to this unit, or go down to one of the units below it."""
    rows = [
        [
            InlineKeyboardButton(
                t("announce.pick_this", unit=found.unit.name, n=found.groups),
                callback_data=pack(PREFIX, "s", found.unit.id),
            )
        ]
    ]
    below = [
        InlineKeyboardButton(u.name, callback_data=pack(PREFIX, "u", u.id)) for u in found.children
    ]
    rows += [below[i : i + 3] for i in range(0, len(below), 3)]
    if found.unit.parent_id is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    t("announce.up"), callback_data=pack(PREFIX, "u", found.unit.parent_id)
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


async def announce(update: Update, context: GridContext) -> None:
    """Start an announcement: choose the unit."""
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        found = await service.choice(context.rt.db, actor, None)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await reply(update, t("announce.choose"), reply_markup=picker_buttons(t, found))


async def on_button(update: Update, context: GridContext) -> None:
    """Unit navigation, unit chosen, confirm or cancel."""
    query = update.callback_query
    assert query is not None and query.message is not None
    rt = context.rt
    t = texts_for(context, update)
    try:
        action, raw = unpack(query.data, PREFIX, 2)
        target = number(raw)
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    actor = await current_actor(context, update)
    try:
        if action == "u":
            found = await service.choice(rt.db, actor, target)
            await query.answer()
            await set_buttons(query.message, picker_buttons(t, found))
        elif action == "s":
            draft = await service.start(rt.db, rt.clock, actor, target)
            await asked(update, context, Owner.ANNOUNCEMENT, subject_id=draft.announcement.id)
            await query.answer()
            await set_buttons(query.message, None)
            await context.bot.send_message(
                actor.tg_user_id,
                t("announce.write", unit=draft.unit.name, n=draft.groups),
                reply_markup=InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                t("announce.cancel"),
                                callback_data=pack(PREFIX, "no", draft.announcement.id),
                            )
                        ]
                    ]
                ),
            )
        elif action == "ok":
            queued, ahead = await service.confirm(rt.db, rt.clock, actor, target)
            await query.answer()
            await set_buttons(query.message, None)
            key = "announce.queued_behind" if ahead else "announce.queued"
            await context.bot.send_message(actor.tg_user_id, t(key, n=ahead, total=queued.total))
            await resume_announcements(context.application)  # type: ignore[arg-type]
        elif action == "no":
            await service.cancel(rt.db, rt.clock, actor, target)
            await query.answer()
            await set_buttons(query.message, None)
            await context.bot.send_message(actor.tg_user_id, t("announce.cancelled"))
        else:
            await query.answer(t("common.stale_button"), show_alert=True)
    except Refusal as refusal:
        values = {
            k: t(f"announce.status_{v}") if k == "status" else v for k, v in refusal.values.items()
        }
        await query.answer(t(refusal.key, **values), show_alert=True)


def _content(message: Message) -> tuple[str, str | None]:
    if message.photo:
        return (message.caption_html or ""), message.photo[-1].file_id
    return (message.text_html or ""), None


async def on_text(update: Update, context: GridContext) -> None:
    """The text (typed or forwarded) of an announcement being written: show the preview."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or await owner(update, context) is not Owner.ANNOUNCEMENT:
        return
    rt = context.rt
    t = rt.lang(None)
    body, photo = _content(message)
    try:
        draft = await service.take_text(
            rt.db, rt.clock, rt.config, user.id, body, photo, utf16_len(header(t, "")) + 40
        )
    except Refusal as refusal:
        await refuse(update, texts_for(context, update), refusal)
        return
    if draft is None:
        return
    mine = texts_for(context, update)
    await reply(update, mine("announce.preview", unit=draft.unit.name, n=draft.groups))
    ann = draft.announcement
    text = announcement_text(t, draft.unit.name, ann.body_html)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    mine("announce.confirm"), callback_data=pack(PREFIX, "ok", ann.id)
                ),
                InlineKeyboardButton(
                    mine("announce.cancel"), callback_data=pack(PREFIX, "no", ann.id)
                ),
            ]
        ]
    )
    if ann.photo_file_id:
        await context.bot.send_photo(user.id, ann.photo_file_id, caption=text, reply_markup=buttons)
    else:
        await context.bot.send_message(user.id, text, reply_markup=buttons)


def register(app: GridApp) -> None:
    """Add /announce, its buttons and the text it waits for."""
    app.add_handler(CommandHandler("announce", announce, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=pattern(PREFIX)))
    text = filters.ChatType.PRIVATE & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND
    app.add_handler(MessageHandler(text, on_text), TEXT_GROUP)
