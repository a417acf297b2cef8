"""我也遇到 and the satisfaction call-back (回访): the buttons, the optional comment."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from bot.runtime import GridApp, GridContext
from bot.texts import Html, Lang
from handlers.asking import ask_for_reply
from handlers.callback_data import BadCallbackData, number, pattern, unpack
from handlers.common import (
    answer_quietly,
    current_actor,
    display_name,
    edit_pressed,
    refuse,
    reply,
    texts_for,
)
from handlers.reports import moves as report_moves
from handlers.reports.notify import card_edits, subject_of
from handlers.reports.render import ME_TOO_PREFIX, RATE_PREFIX, RECORD_PREFIX
from handlers.staff_notices import post
from models.errors import Refusal
from models.reports import Report
from models.satisfaction import RATINGS_BY_CODE, Outcome, Rating
from services import questions, satisfaction
from services.questions import Asker
from services.satisfaction import MeToo


def mention(t: Lang, tg_user_id: int, name: str) -> Html:
    """A mention of a resident (markup already)."""
    return Html(t("reports.mention", user_id=tg_user_id, name=name))


async def press_me_too(update: Update, context: GridContext) -> None:
    """Another resident of the group has the same problem: count their household."""
    rt, query = context.rt, update.callback_query
    assert query is not None and query.message is not None
    t = texts_for(context, update)
    try:
        (report_id,) = unpack(query.data, ME_TOO_PREFIX, 1)
        actor = await current_actor(context, update)

        async def notify(counted: MeToo) -> None:
            # The workers' cards show the new count: their edits are stored with it.
            key = f"{subject_of(counted.report)}:affected{counted.count}"
            await post(context, list(await card_edits(context, key, counted.report)))

        counted = await satisfaction.me_too(
            rt.db,
            rt.clock,
            actor,
            number(report_id),
            display_name(query.from_user),
            query.message.chat.id,
            then=notify,
        )
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    text = t("satisfaction.me_too_counted", number=counted.report.number, count=counted.count)
    await query.answer(text, show_alert=True)


async def press_rating(update: Update, context: GridContext) -> None:
    """An answer to the call-back: the person asked, or the worker on the household's word."""
    rt, query = context.rt, update.callback_query
    assert query is not None and query.message is not None
    t = texts_for(context, update)
    for_household = (query.data or "").startswith(f"{RECORD_PREFIX}:")
    try:
        prefix = RECORD_PREFIX if for_household else RATE_PREFIX
        report_id, code = unpack(query.data, prefix, 2)
        rating = RATINGS_BY_CODE[code]
        actor = await current_actor(context, update)
        # A reopen's notices are stored with it.
        answered = await satisfaction.answer(
            rt.db,
            rt.clock,
            rt.config,
            actor,
            number(report_id),
            rating,
            for_household=for_household,
            press_id=query.id,
            then=lambda moved: report_moves.announce(context, moved),
        )
    except (BadCallbackData, KeyError):
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if answered is None:
        await answer_quietly(query)
        return
    await answer_quietly(query)
    report = answered.report
    if for_household:
        label = t(f"satisfaction.rating_{rating.value}")
        done = t("satisfaction.recorded_for_household", number=report.number, rating=label)
        await edit_pressed(query.message, done)
        return
    name = mention(t, query.from_user.id, display_name(query.from_user))
    await edit_pressed(query.message, _answered_text(t, report, rating, answered.outcome, name))
    await _ask_comment(context, query.message, query.from_user.id, answered.asked.id, name, t)


def _answered_text(t: Lang, report: Report, rating: Rating, outcome: Outcome, name: Html) -> str:
    if outcome is Outcome.REOPENED:
        return t("satisfaction.answered_reopened", name=name, number=report.number)
    if outcome is Outcome.SUPERVISION:
        return t("satisfaction.answered_supervision", name=name, number=report.number)
    label = t(f"satisfaction.rating_{rating.value}")
    return t("satisfaction.answered", name=name, number=report.number, rating=label)


async def _ask_comment(
    context: GridContext, where: object, user_id: int, asked_id: int, name: Html, t: Lang
) -> None:
    """The optional comment, as a forced reply aimed at the person who answered."""
    if not isinstance(where, Message):
        return
    await ask_for_reply(
        context,
        where.chat.id,
        user_id,
        t("satisfaction.ask_comment", name=name),
        Asker.COMMENT,
        subject_id=asked_id,
        placeholder=t("satisfaction.comment_placeholder"),
    )


async def answer_comment(update: Update, context: GridContext) -> bool:
    """A reply with the optional comment after an answer; False if it is not one."""
    rt, message, user = context.rt, update.effective_message, update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    pending = await questions.take(
        rt.db,
        rt.clock,
        message.chat.id,
        message.reply_to_message.message_id,
        user.id,
        Asker.COMMENT,
    )
    if pending is None or pending.subject_id is None:
        return False
    t = texts_for(context, update)
    try:
        await satisfaction.comment(
            rt.db, rt.config, pending.subject_id, message.text or message.caption or ""
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return True
    await reply(update, t("satisfaction.comment_kept"))
    return True


def register(app: GridApp) -> None:
    """Add the me-too and call-back buttons."""
    app.add_handler(CallbackQueryHandler(press_me_too, pattern=pattern(ME_TOO_PREFIX)))
    app.add_handler(CallbackQueryHandler(press_rating, pattern=pattern(RATE_PREFIX)))
    app.add_handler(CallbackQueryHandler(press_rating, pattern=pattern(RECORD_PREFIX)))
