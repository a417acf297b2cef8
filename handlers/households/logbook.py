"""/visit, /contact and /checkin in Telegram: buttons edit the question in place, typed
answers (search words, a date, a note) and shared locations get a new message."""

from __future__ import annotations

from datetime import datetime

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers.callback_data import number, pattern, unpack_any
from handlers.common import (
    current_actor,
    edit_pressed,
    refuse,
    reply,
    set_buttons,
    texts_for,
)
from handlers.flows.common import ENDED
from handlers.households import render
from handlers.private_text import Owner, asked, owner
from handlers.reports import onbehalf
from models.contacts import LogKind
from models.errors import Refusal
from models.periods import local_date, quarter_months
from models.permissions import Actor
from services import checkins, logbook
from services.logbook import Flow, Step
from services.logbook_state import REPORT_PICK

# Typed answers and locations are read in their own handler group, after every feature's
# handlers in group 0; which feature a text belongs to is decided by handlers.private_text.
FLOW_GROUP = 40
# /report in private starts picking a household for a worker (代报): it is a logbook flow too.
OWN_COMMANDS = ("visit", "contact", "checkin", "cancel", "report")


async def visit(update: Update, context: GridContext) -> None:
    """Start logging a home visit."""
    await _begin(update, context, LogKind.VISIT)


async def contact(update: Update, context: GridContext) -> None:
    """Start logging a contact."""
    await _begin(update, context, LogKind.CONTACT)


async def _begin(update: Update, context: GridContext, kind: LogKind) -> None:
    rt = context.rt
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        flow = await logbook.begin(rt.db, rt.clock, rt.config, actor, kind)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await _ask(update, context, t, flow, edit=False)


async def checkin(update: Update, context: GridContext) -> None:
    """Start a check-in: ask for the location."""
    rt = context.rt
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        await checkins.begin_checkin(rt.db, rt.clock, rt.config, actor)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await _ask_checkin(update, context, t)


async def _ask_checkin(update: Update, context: GridContext, t: Lang) -> None:
    await asked(update, context, Owner.LOGBOOK)
    await _send(
        update,
        context,
        t("households.ask_checkin"),
        reply_markup=render.location_keyboard(t, skip=False),
    )


async def press(update: Update, context: GridContext) -> None:
    """A button of a flow: page, household, outcome, date, skip, cancel, or start."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        code, *args = unpack_any(query.data, render.LOG_PREFIX, 1, 3)
        if code == "s":
            started = await logbook.begin(rt.db, rt.clock, rt.config, actor, LogKind(args[0]))
            await query.answer()
            await _ask(update, context, t, started, edit=False)
            return
        if code == "k":
            await checkins.begin_checkin(rt.db, rt.clock, rt.config, actor)
            await query.answer()
            await _ask_checkin(update, context, t)
            return
        draft_id = number(args[0])
        if code in ("c", "m"):
            await _date_picker(update, context, t, draft_id, code, args)
            return
        flow = await _step(context, actor, code, draft_id, args)
    except (IndexError, ValueError):
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await query.answer()
    if flow is None:
        await edit_pressed(query.message, t("households.cancelled"))
        await _send(
            update, context, t("households.cancelled_hint"), reply_markup=ReplyKeyboardRemove()
        )
        return
    await _ask(update, context, t, flow, edit=True)


async def _step(
    context: GridContext, actor: Actor, code: str, draft_id: int, args: list[str]
) -> Flow | None:
    rt = context.rt
    db, clock, config = rt.db, rt.clock, rt.config
    if code == "p":
        return await logbook.show_page(db, clock, config, actor, draft_id, number(args[1]))
    if code == "h":
        return await logbook.choose_household(db, clock, config, actor, draft_id, number(args[1]))
    if code == "o":
        return await logbook.choose_outcome(db, clock, config, actor, draft_id, args[1])
    if code == "d":
        day = datetime.strptime(args[1], "%Y%m%d").date()
        return await logbook.choose_date(db, clock, config, actor, draft_id, day)
    if code == "n":
        return await logbook.skip_note(db, clock, config, actor, draft_id)
    if code == "x":
        await logbook.cancel(db, actor.tg_user_id)
        return None
    raise ValueError(code)


async def _date_picker(
    update: Update, context: GridContext, t: Lang, draft_id: int, code: str, args: list[str]
) -> None:
    """Pick a date: first the month of this quarter, then the day (no state changes)."""
    query, rt = update.callback_query, context.rt
    assert query is not None and isinstance(query.message, Message)
    now, tz = rt.clock.now(), rt.config.tz
    if code == "c":
        markup = render.month_buttons(t, draft_id, quarter_months(now, tz))
    else:
        month = datetime.strptime(args[1], "%Y%m").date()  # ValueError: a stale button
        markup = render.day_buttons(t, draft_id, month, local_date(now, tz))
    await query.answer()
    await set_buttons(query.message, markup)


async def _ask(update: Update, context: GridContext, t: Lang, flow: Flow, edit: bool) -> None:
    """Show the next question (editing the pressed message), or what was stored."""
    rt = context.rt
    draft = flow.draft
    if flow.saved is not None or flow.checked_in is not None:
        if edit and update.callback_query is not None:
            await set_buttons(update.callback_query.message, None)
        await _send(update, context, render.stored(t, flow), reply_markup=ReplyKeyboardRemove())
        if flow.saved is not None and flow.saved.counts[0]:
            await onbehalf.offer(update, context, flow.saved.household, flow.saved.kind)
        return
    if flow.for_report is not None:
        await onbehalf.picked(
            update, context, flow.for_report, flow.report_text, flow.report_carried
        )
        return
    assert draft is not None
    await asked(update, context, Owner.LOGBOOK, subject_id=draft.id)
    markup = None
    if flow.step is Step.HOUSEHOLD:
        assert flow.page is not None
        title = (
            onbehalf.PICK_TITLE if draft.kind == REPORT_PICK else f"households.pick_{draft.kind}"
        )
        text, markup = render.picker(t, title, draft.id, flow.page)
    elif flow.step is Step.OUTCOME:
        assert flow.household is not None
        kind = LogKind(draft.kind)
        text, markup = render.outcome_question(t, kind, draft.id, flow.household)
    elif flow.step is Step.DATE:
        assert flow.household is not None
        text, markup = render.date_question(
            t, draft.id, flow.household, rt.clock.now(), rt.config.tz
        )
    elif flow.step is Step.NOTE:
        assert flow.household is not None
        text, markup = render.note_question(t, draft.id, flow.household, draft.happened_on or "")
    else:  # the location of a visit: a reply keyboard, so always a new message
        if edit and update.callback_query is not None:
            await set_buttons(update.callback_query.message, None)
        await _send(
            update,
            context,
            t("households.ask_location"),
            reply_markup=render.location_keyboard(t, skip=True),
        )
        return
    query = update.callback_query
    # A pressed message that cannot be edited (a forged press on a photo): ask anew.
    if not (edit and query is not None and await edit_pressed(query.message, text, markup)):
        await _send(update, context, text, reply_markup=markup)


async def _send(update: Update, context: GridContext, text: str, **kwargs: object) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, **kwargs)  # type: ignore[arg-type]


async def typed(update: Update, context: GridContext) -> None:
    """Typed text while a flow waits: search words, a date, a note, or skipping the location."""
    rt, message = context.rt, update.effective_message
    assert message is not None and message.text is not None
    if await owner(update, context) is not Owner.LOGBOOK:
        return
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    if not actor.is_staff:
        return
    try:
        flow: Flow | None = None
        if message.text.strip() == t("households.button_skip_location"):
            flow = await logbook.skip_location(rt.db, rt.clock, rt.config, actor)
        if flow is None:
            flow = await logbook.answer_text(rt.db, rt.clock, rt.config, actor, message.text)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if flow is not None:
        await _ask(update, context, t, flow, edit=False)


async def located(update: Update, context: GridContext) -> None:
    """A shared location while a visit or a check-in waits for one."""
    rt, message = context.rt, update.effective_message
    assert message is not None and message.location is not None
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    if not actor.is_staff:
        return
    flow = await logbook.give_location(
        rt.db, rt.clock, rt.config, actor, message.location.latitude, message.location.longitude
    )
    if flow is None:
        await reply(update, t("households.location_unexpected"))
        return
    await _ask(update, context, t, flow, edit=False)


async def cancel(update: Update, context: GridContext) -> None:
    """/cancel: leave the flow in progress, or say that nothing was in progress."""
    user = update.effective_user
    assert user is not None
    t = texts_for(context, update)
    if await logbook.cancel(context.rt.db, user.id):
        await reply(update, t("households.cancelled"), reply_markup=ReplyKeyboardRemove())
    elif not (context.user_data or {}).get(ENDED):
        # A conversation that /cancel just ended (handler group 2) has answered already.
        await reply(update, t("common.nothing_to_cancel"))


async def other_command(update: Update, context: GridContext) -> None:
    """Another command leaves the flow quietly, so its answers go where they belong."""
    user = update.effective_user
    if user is not None:
        await logbook.cancel(context.rt.db, user.id)


def register(app: GridApp) -> None:
    """Add the logging handlers."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("visit", visit, filters=private))
    app.add_handler(CommandHandler("contact", contact, filters=private))
    app.add_handler(CommandHandler("checkin", checkin, filters=private))
    app.add_handler(CallbackQueryHandler(press, pattern=pattern(render.LOG_PREFIX)))
    app.add_handler(CommandHandler("cancel", cancel, filters=private), FLOW_GROUP)
    own = filters.Regex(rf"^/({'|'.join(OWN_COMMANDS)})(@\w+)?(\s|$)")
    app.add_handler(MessageHandler(private & filters.COMMAND & ~own, other_command), FLOW_GROUP)
    # handlers.private_text decides whether a text is ours (not a reply to a note question,
    # not the answer to a flow's or an announcement's question asked later).
    typing = private & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(typing, typed), FLOW_GROUP)
    app.add_handler(MessageHandler(private & filters.LOCATION, located), FLOW_GROUP)
