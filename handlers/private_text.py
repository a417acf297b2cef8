"""One place decides what a text typed in a private chat answers.

Several things may wait for a person's text at once: a step-by-step flow (/survey, /pension,
/policy, a visit's failure reason), a /visit, /contact or /checkin in progress, an
announcement being written, and the report loop's forced-reply questions (a description, a
worker's note). Each feature's text handler asks `owner()` and acts only when the text is
its own, so one message is never taken by two features. The rule:

1. a reply to a question still waiting for its reply (a report's description, a worker's
   note) answers that question (handlers.reports);
2. otherwise the most recent question asked wins: every feature that asks for text records
   it with `asked()` in the one store of pending questions (services.questions: who, which
   chat, which flow, about what, until when); when that one no longer waits, the others in
   the order flow, logbook, announcement (a draft never takes the answer of a question asked
   after it).

Commands are not texts here: each has its own handler (and leaves a flow, see handlers.flows).
"""

from __future__ import annotations

from enum import StrEnum

from telegram import Chat, Update
from telegram.ext import MessageHandler, filters

from bot.runtime import GridApp, GridContext
from handlers.scratch import FLOW_ASKED, SCRATCH, idle
from services import announcements, logbook_state, questions
from services.questions import Asker
from services.reports.questions import awaits_reply


class Owner(StrEnum):
    """What a private text answers."""

    QUESTION = "question"
    FLOW = FLOW_ASKED
    LOGBOOK = "logbook"
    ANNOUNCEMENT = "announcement"
    NOBODY = "nobody"


# Before any feature's handler: the decision must see the questions still waiting (the
# report loop removes a note's question in group 0 when it takes the reply).
ROUTE_GROUP = -2
# When the most recent asker no longer waits: a question asked later always won above.
_FALLBACK = (Owner.FLOW, Owner.LOGBOOK, Owner.ANNOUNCEMENT)


async def asked(
    update: Update,
    context: GridContext,
    owner: Owner,
    message_id: int | None = None,
    subject_id: int | None = None,
) -> None:
    """Record that `owner` just asked this person for a text (in their private chat)."""
    user = update.effective_user
    if user is None:
        return
    rt = context.rt
    await questions.ask(
        rt.db,
        rt.clock,
        rt.config,
        user.id,
        user.id,
        Asker(owner.value),
        subject_id=subject_id,
        message_id=message_id,
    )


async def owner(update: Update, context: GridContext) -> Owner:
    """What this private message answers (decided once per update)."""
    routed = context.routed
    if routed is not None and routed[0] == update.update_id:
        return Owner(routed[1])
    decided = await _decide(update, context)
    context.routed = (update.update_id, decided.value)
    return decided


async def route(update: Update, context: GridContext) -> None:
    """Decide what this private text answers, before any feature takes it."""
    await owner(update, context)


def register(app: GridApp) -> None:
    """Add the decision in front of the features' text handlers."""
    texts = filters.ChatType.PRIVATE & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND
    app.add_handler(MessageHandler(texts, route), ROUTE_GROUP)


async def _decide(update: Update, context: GridContext) -> Owner:
    message, user, chat = update.message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or chat.type != Chat.PRIVATE:
        return Owner.NOBODY
    rt = context.rt
    replied = message.reply_to_message
    if replied is not None and await awaits_reply(
        rt.db, rt.clock, chat.id, replied.message_id, user.id
    ):
        return Owner.QUESTION
    now = rt.clock.now()
    scratch = (context.user_data or {}).get(SCRATCH)
    waiting = {
        Owner.FLOW: isinstance(scratch, dict) and not idle(rt, scratch),
        Owner.LOGBOOK: await logbook_state.waiting(rt.db, rt.config, user.id, now),
        Owner.ANNOUNCEMENT: await announcements.composing(rt.db, rt.clock, user.id),
    }
    pending = await questions.latest(rt.db, rt.clock, user.id)
    last = pending.flow if pending is not None else None
    if last in waiting and waiting[Owner(last)]:
        return Owner(last)
    return next((o for o in _FALLBACK if waiting[o]), Owner.NOBODY)
