"""Reports a worker files for a household (代报) in Telegram: the entry points (a logged visit
or contact, /tasks, /report in the worker's private chat), and what the household is told.

Every entry point ends at a chosen household; the bot then opens the report with a message
of its own (the draft's key, so one visit may give several reports) and asks the category
and the description as for any report (handlers.reports.filing takes the answers)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers.callback_data import BadCallbackData, number, pack, pattern, unpack_any
from handlers.common import answer_quietly, current_actor, refuse, texts_for
from handlers.households import render as household_render
from handlers.private_text import Owner, asked
from handlers.reports.for_household import (
    PREFIX,
    for_household_buttons,
    parse_collected,
)
from handlers.reports.render import category_buttons
from models.chats import addressable
from models.contacts import Household, LogKind
from models.errors import Refusal
from services import logbook
from services.reports import onbehalf
from services.reports.attachments import Said, said_with
from services.reports.filing import Step

PICK_TITLE = "onbehalf.pick_title"


def pick_button(t: Lang) -> InlineKeyboardButton:
    """Pick a household and file a report for it (under /tasks)."""
    return InlineKeyboardButton(t("onbehalf.button_pick"), callback_data=pack(PREFIX, "p"))


def with_pick_button(t: Lang, markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup:
    """`markup` with the pick-a-household button as one more row."""
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup([*rows, [pick_button(t)]])


async def offer(update: Update, context: GridContext, household: Household, kind: LogKind) -> None:
    """After a visit or contact was stored: buttons to report a problem for the household or
    enter its questionnaire."""
    chat = update.effective_chat
    assert chat is not None
    t = texts_for(context, update)
    await context.bot.send_message(
        chat.id,
        t("onbehalf.offer", household=household_render.household_label(household)),
        reply_markup=for_household_buttons(t, household.id, kind.value),
    )


async def open_picker(
    update: Update, context: GridContext, text: str = "", said: Said | None = None
) -> bool:
    """The worker's household list (paged, searchable: the logbook's); picking one files,
    with `text` and what `said` carries (a photo, a recording, a location) if given. False
    when refused (and told why)."""
    rt, chat = context.rt, update.effective_chat
    assert chat is not None
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        flow = await logbook.begin_report_pick(rt.db, rt.clock, rt.config, actor, text, said)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return False
    assert flow.draft is not None and flow.page is not None
    await asked(update, context, Owner.LOGBOOK, subject_id=flow.draft.id)
    title, markup = household_render.picker(t, PICK_TITLE, flow.draft.id, flow.page)
    await context.bot.send_message(chat.id, title, reply_markup=markup)
    return True


async def picked(
    update: Update,
    context: GridContext,
    household: Household,
    text: str,
    carried: str | None = None,
) -> None:
    """A household picked from the list: with the text (or the photo, recording or
    location) given with /report, open its report at once; otherwise offer a report or the
    questionnaire for it."""
    query = update.callback_query
    t = texts_for(context, update)
    label = t("onbehalf.picked", household=household_render.household_label(household))
    markup = None if text or carried else for_household_buttons(t, household.id, None)
    if query is not None and isinstance(query.message, Message):
        await query.message.edit_text(label, reply_markup=markup)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, label, reply_markup=markup)
    if text or carried:
        await _open(update, context, household, None, text, said_with(text, carried))


async def press(update: Update, context: GridContext) -> None:
    """ob:s:<household>:<v|c|n> files for a household; ob:p opens the household list."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        code, *args = unpack_any(query.data, PREFIX, 1, 3)
        if code == "p" and not args:
            if await open_picker(update, context):
                await answer_quietly(query)
            return
        if code != "s" or len(args) != 2:
            raise BadCallbackData(query.data)
        household_id, collected_on = number(args[0]), parse_collected(args[1])
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    actor = await current_actor(context, update)
    try:
        household = await onbehalf.choose(
            rt.db, rt.clock, actor, household_id, collected_on, query.id
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await answer_quietly(query)
    if household is not None:
        await _open(update, context, household, collected_on, "")


async def _open(
    update: Update,
    context: GridContext,
    household: Household,
    collected_on: str | None,
    text: str,
    said: Said | None = None,
) -> None:
    rt, chat = context.rt, update.effective_chat
    assert chat is not None
    t = texts_for(context, update)
    where = t(f"onbehalf.collected_{collected_on or 'none'}")
    label = household_render.household_label(household)
    opening = await context.bot.send_message(
        chat.id, t("onbehalf.opening", household=label, where=where)
    )
    actor = await current_actor(context, update)
    try:
        progress = await onbehalf.begin(
            rt.db,
            rt.clock,
            rt.config,
            actor,
            household_id=household.id,
            collected_on=collected_on,
            chat_id=chat.id,
            message_id=opening.message_id,
            text=text,
            said=said,
            placeholder=t("voice.placeholder"),
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if progress.step is Step.ASK_CATEGORY and progress.draft is not None:
        await context.bot.send_message(
            chat.id,
            t("reports.ask_category"),
            reply_to_message_id=addressable(opening.message_id),
            reply_markup=category_buttons(rt.config, t, progress.draft.id),
            allow_sending_without_reply=True,
        )


def register(app: GridApp) -> None:
    """Add the buttons that file for a household."""
    app.add_handler(CallbackQueryHandler(press, pattern=pattern(PREFIX)))
