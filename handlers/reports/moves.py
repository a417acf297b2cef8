"""Report buttons: Accept / Resolve / Escalate / Duplicate / Reject, Confirm / Reopen."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers import case_notices
from handlers.asking import ask_for_reply
from handlers.callback_data import BadCallbackData, pattern, unpack
from handlers.callback_data import number as as_number
from handlers.common import answer_quietly, current_actor, refuse, reply, texts_for
from handlers.reports.notify import RENDERER
from handlers.reports.render import MOVE_PREFIX, MOVES_BY_CODE
from models.errors import Refusal
from models.permissions import Actor
from models.reports import NEEDS_NOTE, Move, Report
from models.units import Level
from services import cases, questions
from services.questions import Asker
from services.reports import moves
from services.reports.moves import Moved

log = logging.getLogger(__name__)

# ASCII digits only: `\d` matches any script's digits, which int() then reads.
NUMBER = re.compile(r"#?\s*([0-9]{1,18})(?![0-9])")
# Refusals after which the note is asked for again.
ASK_AGAIN = ("reports.note_needed", "reports.note_too_long", "reports.bad_duplicate")


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
            report = await moves.checked(rt.db, actor, report_id, move)
            await answer_quietly(query)
            await _ask_note(context, query.from_user.id, report, move, t)
            return
        # The notices are stored with the move: whatever happens to the answer below,
        # they go out.
        moved = await _apply(context, actor, report_id, move, press_id=query.id)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if moved is None:
        await answer_quietly(query)
        return
    await answer_quietly(query, t(f"reports.done_{move.value}", number=_number(actor, moved)))


async def _apply(
    context: GridContext, actor: Actor, report_id: int, move: Move, **details: Any
) -> Moved | None:
    """Make the move; its notices are stored with it (in its transaction)."""
    rt = context.rt
    return await cases.apply(
        rt.db,
        rt.clock,
        rt.config,
        moves.REPORTS,
        actor,
        report_id,
        move,
        then=lambda moved: announce(context, moved),
        **details,
    )


def _number(actor: Actor, moved: Moved) -> str:
    """The report's number as the mover sees it (a county cadre: with the town's prefix)."""
    county = actor.staff is not None and actor.staff.level is Level.COUNTY
    return moved.after.as_tagged().number if county else moved.after.number


async def _ask_note(
    context: GridContext, user_id: int, report: Report, move: Move, t: Lang
) -> None:
    await ask_for_reply(
        context,
        user_id,
        user_id,
        t(f"reports.ask_note_{move.value}", number=report.number),
        Asker.NOTE,
        subject_id=report.id,
        kind=move.value,
    )


async def answer_note(update: Update, context: GridContext) -> bool:
    """A worker's reply with the note for resolve / reject / duplicate; False if not one."""
    rt, message, user = context.rt, update.effective_message, update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    pending = await questions.take(
        rt.db, rt.clock, message.chat.id, message.reply_to_message.message_id, user.id, Asker.NOTE
    )
    if pending is None or pending.subject_id is None:
        return False
    report_id, action = pending.subject_id, pending.kind
    move = Move(action)
    t = texts_for(context, update)
    text = (message.text or "").strip()
    duplicate_of = None
    if move is Move.DUPLICATE:
        match = NUMBER.search(text)
        duplicate_of = int(match.group(1)) if match else None
    actor = await current_actor(context, update)
    try:
        moved = await _apply(context, actor, report_id, move, note=text, duplicate_of=duplicate_of)
        assert moved is not None
    except Refusal as refusal:
        await refuse(update, t, refusal)
        if refusal.key in ASK_AGAIN:
            report = await moves.loaded(rt.db, report_id)
            await _ask_note(context, user.id, report, move, t)
        return True
    await reply(update, t(f"reports.done_{move.value}", number=_number(actor, moved)))
    return True


async def announce(context: GridContext, moved: Moved) -> None:
    """Enqueue, in the move's transaction, what everyone concerned is told, and the
    refreshed buttons on the workers' copies."""
    await case_notices.announce(context, RENDERER, moved)


def register(app: GridApp) -> None:
    """Add the report-button handler."""
    app.add_handler(CallbackQueryHandler(press, pattern=pattern(MOVE_PREFIX)))
