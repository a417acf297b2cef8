"""Home visits on the staff side: scheduling by buttons, Done, Could not complete (with a
reason, a one-step flow), and the /tasks section."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.runtime import GridContext
from bot.texts import Lang
from handlers.callback_data import BadCallbackData, number, unpack, unpack_any
from handlers.common import answer_quietly, current_actor, refuse, reply, set_buttons, texts_for
from handlers.flows import pension_render as render
from handlers.flows.common import END, Scratch, begin, step
from handlers.flows.pension_notify import announce, may_act
from handlers.format import local_time
from handlers.private_text import Owner, asked, owner
from models.errors import Refusal
from models.pension import Move, PensionRequest
from models.permissions import Actor
from services import cases, pension
from services import pension_visits as visits
from services.pension_visits import Moved

NAME = "pension_fail"
REASON = "pension:reason"
# Refusals after which the reason is asked for again.
ASK_AGAIN = ("pension.reason_needed", "pension.reason_too_long")


async def press(update: Update, context: GridContext) -> None:
    """Schedule (a day, then a time), Back, or Done on a home-visit request."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        parts = [render.PREFIX, *unpack_any(query.data, render.PREFIX, 2, 4)]
        kind, request_id = parts[1], number(parts[2])
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    actor = await current_actor(context, update)
    move = Move.DONE if kind == render.DONE else Move.SCHEDULE
    try:
        if kind in (render.TIME, render.DONE) and (kind == render.DONE or len(parts) == 5):
            visit_at = render.parse_moment(rt, parts[3], parts[4]) if kind == render.TIME else None
            # The notices are stored with the move, whatever happens to the answer below.
            moved = await _apply(
                context, actor, request_id, move, visit_at=visit_at, press_id=query.id
            )
        else:
            request = await visits.ensure(rt.db, actor, request_id, move)
            await query.answer()
            await _pick(query.message, _schedule_markup(context, t, request, kind, parts))
            return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if moved is None:
        await answer_quietly(query)
        return
    when = local_time(rt, moved.after.visit_at) if moved.after.visit_at else ""
    await answer_quietly(
        query, t(f"pension.done_{move.value}", number=moved.after.number, when=when)
    )


def _schedule_markup(
    context: GridContext, t: Lang, request: PensionRequest, kind: str, parts: list[str]
) -> InlineKeyboardMarkup | None:
    """The buttons to show for a schedule step: days, a day's times, or the request's own."""
    rt, now = context.rt, context.rt.clock.now()
    if kind == render.DAY and len(parts) == 4:
        try:
            day = datetime.strptime(parts[3], "%Y%m%d").date()
        except ValueError:
            return render.days_markup(rt, t, request, now)
        return render.times_markup(rt, t, request, day, now)
    if kind == render.BACK:
        return render.staff_markup(t, request)
    return render.days_markup(rt, t, request, now)


async def _pick(message: object, markup: InlineKeyboardMarkup | None) -> None:
    await set_buttons(message, markup)


async def ask_reason(update: Update, context: GridContext) -> object:
    """Could not complete: check, then ask the worker why (the next message is the reason)."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        (request_id,) = unpack(query.data, render.PREFIX, 2)[1:]
        request = await visits.ensure(
            rt.db, await current_actor(context, update), number(request_id), Move.FAIL
        )
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return END
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return END
    await query.answer()
    scratch = begin(context, NAME, request=request.id)
    sent = await context.bot.send_message(
        query.from_user.id, t("pension.ask_reason", number=request.number)
    )
    scratch["msg"] = sent.message_id
    await asked(update, context, Owner.FLOW, message_id=sent.message_id, subject_id=request.id)
    return REASON


async def _apply(
    context: GridContext, actor: Actor, request_id: int, move: Move, **details: Any
) -> Moved | None:
    """Make the move; its notices are stored with it (in its transaction)."""
    rt = context.rt
    return await cases.apply(
        rt.db,
        rt.clock,
        rt.config,
        visits.HOME_VISITS,
        actor,
        request_id,
        move,
        then=lambda moved: announce(context, moved),
        **details,
    )


@step(NAME)
async def reason(update: Update, context: GridContext, scratch: Scratch) -> object:
    """The reason a visit could not be completed."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if await owner(update, context) is not Owner.FLOW:
        return REASON
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    try:
        moved = await _apply(context, actor, int(scratch["request"]), Move.FAIL, note=message.text)
        assert moved is not None
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return REASON if refusal.key in ASK_AGAIN else END
    await reply(update, t("pension.done_fail", number=moved.after.number, when=""))
    return END


async def tasks_section(update: Update, context: GridContext, actor: Actor) -> None:
    """The /tasks part for home visits: each open one with its buttons."""
    if actor.staff is None:
        return
    rt = context.rt
    t = texts_for(context, update)
    found = await pension.tasks(rt.db, actor)
    if not found:
        return
    await reply(update, t("pension.tasks_title", count=len(found)))
    for request in found:
        view = await pension.view(rt.db, request.id)
        markup = render.staff_markup(t, request) if may_act(actor, view) else None
        await reply(update, render.card_text(rt, t, view), reply_markup=markup)


def reason_handlers() -> list[BaseHandler[Update, GridContext, object]]:
    """The handlers of the reason state."""
    text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    return [MessageHandler(text, reason)]


def fail_entry() -> CallbackQueryHandler[GridContext, object]:
    """The Could-not-complete button, which starts the short reason flow."""
    return CallbackQueryHandler(ask_reason, pattern=f"^{render.PREFIX}:{render.FAIL}:")


def buttons_handler() -> CallbackQueryHandler[GridContext, None]:
    """Every other home-visit button (handled without a flow)."""
    return CallbackQueryHandler(press, pattern=f"^{render.PREFIX}:[^{render.FAIL}]")
