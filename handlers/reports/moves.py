"""Report buttons: Accept / Resolve / Escalate / Duplicate / Reject, Confirm / Reopen."""

from __future__ import annotations

import logging
import re

from telegram import ForceReply, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.clock import to_ts
from bot.runtime import GridApp, GridContext
from bot.storage import reports as report_store
from bot.storage.grid import staff_by_id
from bot.texts import Lang
from handlers.callback_data import BadCallbackData, pattern, unpack
from handlers.callback_data import number as as_number
from handlers.common import current_actor, refuse, reply, texts_for
from handlers.reports.notify import (
    refresh_staff_messages,
    resolution_markup,
    tell_resident,
    tell_staff,
)
from handlers.reports.render import MOVE_PREFIX, MOVES_BY_CODE, level_label
from models.errors import Refusal
from models.reports import NEEDS_NOTE, Move
from services.reports import moves
from services.reports.moves import Moved

log = logging.getLogger(__name__)
# ASCII digits only: `\d` matches any script's digits, which int() then reads.
NUMBER = re.compile(r"#?\s*([0-9]{1,18})(?![0-9])")


async def press(update: Update, context: GridContext) -> None:
    """A report button was pressed: check, then act or ask for the note."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        code, number = unpack(query.data, MOVE_PREFIX, 2)
        move, report_id = MOVES_BY_CODE[code], as_number(number)
    except (BadCallbackData, KeyError, ValueError):
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    actor = await current_actor(context, update)
    try:
        if move in NEEDS_NOTE:
            async with rt.db.transaction():
                report = await moves.load(rt.db, report_id)
                await moves.check(rt.db, actor, report, move)
            await query.answer()
            await _ask_note(context, query.from_user.id, report_id, move, t)
            return
        moved = await moves.apply(
            rt.db, rt.clock, rt.config, actor, report_id, move, press_id=query.id
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if moved is None:
        await query.answer()
        return
    await query.answer(t(f"reports.done_{move.value}", number=moved.after.number))
    await announce(context, moved)


async def _ask_note(
    context: GridContext, user_id: int, report_id: int, move: Move, t: Lang
) -> None:
    rt = context.rt
    question = await context.bot.send_message(
        user_id,
        t(f"reports.ask_note_{move.value}", number=f"#{report_id}"),
        reply_markup=ForceReply(selective=True),
    )
    async with rt.db.transaction():
        await report_store.add_pending_note(
            rt.db,
            question.chat.id,
            question.message_id,
            user_id,
            report_id,
            move.value,
            to_ts(rt.clock.now()),
        )


async def answer_note(update: Update, context: GridContext) -> bool:
    """A worker's reply with the note for resolve / reject / duplicate; False if not one."""
    rt, message, user = context.rt, update.effective_message, update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    async with rt.db.transaction():
        pending = await report_store.take_pending_note(
            rt.db, message.chat.id, message.reply_to_message.message_id, user.id
        )
    if pending is None:
        return False
    report_id, action = pending
    move = Move(action)
    t = texts_for(context, update)
    text = (message.text or "").strip()
    duplicate_of = None
    if move is Move.DUPLICATE:
        match = NUMBER.search(text)
        duplicate_of = int(match.group(1)) if match else None
    actor = await current_actor(context, update)
    try:
        moved = await moves.apply(
            rt.db, rt.clock, rt.config, actor, report_id, move, note=text, duplicate_of=duplicate_of
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        if refusal.key in ("reports.note_needed", "reports.bad_duplicate"):
            await _ask_note(context, user.id, report_id, move, t)
        return True
    assert moved is not None
    await reply(update, t(f"reports.done_{move.value}", number=moved.after.number))
    await announce(context, moved)
    return True


async def announce(context: GridContext, moved: Moved) -> None:
    """Tell everyone concerned about a move, and refresh the workers' buttons."""
    t = context.rt.lang(None)
    report = moved.after
    by = moved.by.name if moved.by else ""
    if moved.move is Move.ACCEPT:
        await tell_resident(
            context, report, t("reports.told_accepted", number=report.number, name=by)
        )
    elif moved.move is Move.RESOLVE:
        await tell_resident(
            context,
            report,
            t("reports.told_resolved", number=report.number, name=by, note=moved.note),
            resolution_markup(context, report),
        )
    elif moved.move is Move.ESCALATE:
        key = "reports.told_escalated_overdue" if moved.overdue else "reports.told_escalated"
        await tell_resident(
            context, report, t(key, number=report.number, level=level_label(t, report.level))
        )
        if moved.route is not None:
            await tell_staff(context, report, moved.route.staff)
    elif moved.move is Move.REJECT:
        await tell_resident(
            context, report, t("reports.told_rejected", number=report.number, note=moved.note)
        )
    elif moved.move is Move.DUPLICATE:
        await tell_resident(
            context,
            report,
            t("reports.told_duplicate", number=report.number, original=f"#{report.duplicate_of}"),
        )
    elif moved.move in (Move.CONFIRM, Move.REOPEN):
        await _tell_owner(context, moved)
    await refresh_staff_messages(context, report)


async def _tell_owner(context: GridContext, moved: Moved) -> None:
    report = moved.after
    t = context.rt.lang(None)
    reopened = moved.move is Move.REOPEN
    key = "reports.told_reopened" if reopened else "reports.told_closed"
    await tell_resident(context, report, t(key, number=report.number))
    if report.owner_staff_id is None:
        return
    async with context.rt.db.transaction():
        owner = await staff_by_id(context.rt.db, report.owner_staff_id)
    if owner is None or owner.tg_user_id is None:
        return
    if reopened:
        await tell_staff(context, report, [owner])
        return
    try:
        await context.bot.send_message(
            owner.tg_user_id, t("reports.owner_confirmed", number=report.number)
        )
    except TelegramError as exc:
        log.info("could not tell staff %s that #%s was confirmed: %s", owner.code, report.id, exc)


def register(app: GridApp) -> None:
    """Add the report-button handler."""
    app.add_handler(CallbackQueryHandler(press, pattern=pattern(MOVE_PREFIX)))
