"""Supervision (督办) and urging (催办) in Telegram.

A cadre presses 督办 (the board, /status), picks the answer time, and replies to the bot's
forced-reply question with the instruction; the owner gets it privately with 回复进展, which
asks for the progress the same way; the answer reaches the cadre. The reporter presses 催一下
on the filing confirmation. Questions go through the one store of pending questions (a
worker's note, `Asker.NOTE`, with their own kinds).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers.asking import ask_for_reply
from handlers.callback_data import BadCallbackData, number, pattern, unpack
from handlers.common import (
    answer_quietly,
    current_actor,
    language_for,
    refuse,
    reply,
    texts_for,
)
from handlers.format import local_time
from handlers.reports.supervision_render import (
    ASK_INSTRUCTION,
    ASK_PROGRESS,
    PROGRESS_PREFIX,
    SUPERVISE_PREFIX,
    URGE_PREFIX,
    WITHIN_PREFIX,
    span,
    staff_message,
    within_markup,
)
from handlers.staff_notices import post
from models.errors import Refusal
from models.outbox import Notice
from models.permissions import Actor
from models.reports import Report
from models.units import Staff
from services import people, questions, supervision
from services.cases import Lapsed
from services.questions import Asker
from services.reports.moves import Moved
from services.supervision import Supervised, Urged

# Refusals after which the question is asked again.
ASK_AGAIN = ("supervise.instruction_needed", "supervise.progress_needed", "reports.note_too_long")


async def _parts(update: Update, t: Lang, prefix: str, count: int) -> list[int] | None:
    query = update.callback_query
    assert query is not None
    try:
        return [number(p) for p in unpack(query.data, prefix, count)]
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return None


async def press_supervise(update: Update, context: GridContext) -> None:
    """督办 #N: a cadre over the report picks the answer time (privately)."""
    t, rt = texts_for(context, update), context.rt
    parts = await _parts(update, t, SUPERVISE_PREFIX, 1)
    if parts is None:
        return
    actor = await current_actor(context, update)
    try:
        report = await supervision.check(rt.db, rt.config, actor, parts[0])
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    query = update.callback_query
    assert query is not None
    await answer_quietly(query)
    await context.bot.send_message(
        query.from_user.id,
        t("supervise.pick_within", number=report.number),
        reply_markup=within_markup(rt, t, report.id),
    )


async def press_within(update: Update, context: GridContext) -> None:
    """The answer time picked: the instruction is asked with a forced reply."""
    t, rt = texts_for(context, update), context.rt
    parts = await _parts(update, t, WITHIN_PREFIX, 2)
    if parts is None:
        return
    report_id, choice = parts
    choices = rt.config.reports.supervise_within
    actor = await current_actor(context, update)
    try:
        if choice >= len(choices):
            raise Refusal("common.stale_button")
        report = await supervision.check(rt.db, rt.config, actor, report_id)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    query = update.callback_query
    assert query is not None
    await answer_quietly(query)
    await _ask(
        context, t, query.from_user.id, report.id, report.number, f"{ASK_INSTRUCTION}{choice}"
    )


async def press_progress(update: Update, context: GridContext) -> None:
    """回复进展: the owner is asked for the progress with a forced reply."""
    t, rt = texts_for(context, update), context.rt
    parts = await _parts(update, t, PROGRESS_PREFIX, 1)
    if parts is None:
        return
    actor = await current_actor(context, update)
    try:
        report = await supervision.check_answer(rt.db, actor, parts[0])
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    query = update.callback_query
    assert query is not None
    await answer_quietly(query)
    await _ask(context, t, query.from_user.id, report.id, report.number, ASK_PROGRESS)


async def _ask(
    context: GridContext, t: Lang, user_id: int, report_id: int, number: str, kind: str
) -> None:
    rt = context.rt
    if kind.startswith(ASK_INSTRUCTION):
        within = rt.config.reports.supervise_within[int(kind.removeprefix(ASK_INSTRUCTION))]
        text = t("supervise.ask_instruction", number=number, within=span(t, within))
    else:
        text = t("supervise.ask_progress", number=number)
    await ask_for_reply(
        context, user_id, user_id, text, Asker.NOTE, subject_id=report_id, kind=kind
    )


async def answer_question(update: Update, context: GridContext) -> bool:
    """A reply with a supervision's instruction or its progress; False if not one."""
    rt, message, user = context.rt, update.effective_message, update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    asked = message.reply_to_message.message_id
    pending = await questions.asked_by(rt.db, rt.clock, message.chat.id, asked, user.id, Asker.NOTE)
    if pending is None or pending.subject_id is None:
        return False
    kind = pending.kind
    if not (kind.startswith(ASK_INSTRUCTION) or kind == ASK_PROGRESS):
        return False
    if await questions.take(rt.db, rt.clock, message.chat.id, asked, user.id, Asker.NOTE) is None:
        return True  # answered a moment ago by the same person's other reply
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    report_id, text = pending.subject_id, message.text or ""
    try:
        if kind == ASK_PROGRESS:
            await _progress(update, context, actor, report_id, text)
        else:
            choice = int(kind.removeprefix(ASK_INSTRUCTION))
            await _supervise(update, context, actor, report_id, text, choice)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        if refusal.key in ASK_AGAIN:
            report = await supervision.report_of(rt.db, report_id)
            await _ask(context, t, user.id, report_id, report.number, kind)
    return True


async def _supervise(
    update: Update, context: GridContext, actor: Actor, report_id: int, text: str, choice: int
) -> None:
    rt, t = context.rt, texts_for(context, update)

    async def notify(done: Supervised) -> None:
        found, report = done.supervision, done.report
        key = f"report:{report.id}:ev{done.event_id}"
        notices: list[Notice | None] = [
            await staff_message(
                context,
                key,
                report,
                person,
                "supervise.told_owner",
                markup=True,
                name=found.by_name,
                instruction=found.instruction,
                due=local_time(rt, found.due_at),
            )
            for person in done.to
        ]
        await post(context, notices)

    done = await supervision.supervise(
        rt.db, rt.clock, rt.config, actor, report_id, text, choice, then=notify
    )
    report, due = done.report, local_time(rt, done.supervision.due_at)
    names = t("reports.name_separator").join(p.name for p in done.to) or t("supervise.nobody")
    await reply(update, t("supervise.done", number=report.number, due=due, names=names))


async def _progress(
    update: Update, context: GridContext, actor: Actor, report_id: int, text: str
) -> None:
    rt, t = context.rt, texts_for(context, update)

    async def notify(done: Supervised) -> None:
        found, report = done.supervision, done.report
        cadre = await people.staff_by_id(rt.db, found.by_staff_id)
        if cadre is None:
            return
        key = f"report:{report.id}:ev{done.event_id}"
        by = actor.staff.name if actor.staff is not None else ""
        told = await staff_message(
            context, key, report, cadre, "supervise.told_cadre", name=by, progress=found.answer
        )
        await post(context, [told])

    done = await supervision.answer(rt.db, rt.clock, rt.config, actor, report_id, text, then=notify)
    await reply(update, t("supervise.answered", number=done.report.number))


async def press_urge(update: Update, context: GridContext) -> None:
    """催一下: the reporter urges their report; the owner is reminded."""
    t, rt = texts_for(context, update), context.rt
    parts = await _parts(update, t, URGE_PREFIX, 1)
    if parts is None:
        return
    query = update.callback_query
    assert query is not None

    async def notify(done: Urged) -> None:
        key = f"report:{done.report.id}:ev{done.event_id}"
        await post(
            context,
            [
                await staff_message(
                    context, key, done.report, person, "supervise.urged", n=done.count
                )
                for person in done.to
            ],
        )

    try:
        done = await supervision.urge(
            rt.db, rt.clock, rt.config, query.from_user.id, parts[0], press_id=query.id, then=notify
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    if done is None:
        await answer_quietly(query)
        return
    await answer_quietly(query, t("supervise.urge_done", number=done.report.number, n=done.count))


async def _supervisor(context: GridContext, report: Report) -> Staff | None:
    """The cadre whose supervision of the report is the latest, if they can be told."""
    rt = context.rt
    current = (await supervision.marks(rt.db, [report.id]))[report.id].supervision
    if current is None:
        return None
    cadre = await people.staff_by_id(rt.db, current.by_staff_id)
    return cadre if cadre is not None and cadre.tg_user_id is not None else None


async def lapsed_notices(context: GridContext, key: str, moved: Moved) -> list[Notice | None]:
    """The cadre hears that the supervision's due time passed unanswered and where the
    report went."""
    report = moved.after
    cadre = await _supervisor(context, report)
    if cadre is None or cadre.tg_user_id is None:
        return []
    t = await language_for(context, cadre.tg_user_id)
    level = t(f"common.role_l{int(report.level)}")
    return [
        await staff_message(context, f"{key}:cadre", report, cadre, "supervise.lapsed", level=level)
    ]


async def tell_lapsed(context: GridContext, lapsed: Lapsed[Report]) -> None:
    """The cadre hears that the supervision's due time passed unanswered where the report
    could climb no further: it is only flagged (stored with the flag, in the sweep)."""
    report = lapsed.record
    cadre = await _supervisor(context, report)
    if cadre is None:
        return
    key = f"report:{report.id}:lapsed{lapsed.token}"
    await post(context, [await staff_message(context, key, report, cadre, "supervise.flagged")])


def register(app: GridApp) -> None:
    """Add the supervision and urging buttons (replies come through the report loop's)."""
    app.add_handler(CallbackQueryHandler(press_supervise, pattern=pattern(SUPERVISE_PREFIX)))
    app.add_handler(CallbackQueryHandler(press_within, pattern=pattern(WITHIN_PREFIX)))
    app.add_handler(CallbackQueryHandler(press_progress, pattern=pattern(PROGRESS_PREFIX)))
    app.add_handler(CallbackQueryHandler(press_urge, pattern=pattern(URGE_PREFIX)))
