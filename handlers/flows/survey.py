"""/survey: the questionnaire in private, one question at a time; stored only when finished."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.runtime import GridContext
from bot.texts import Html, Lang
from handlers.callback_data import (
    BadCallbackData,
    number,
    pattern,
    unpack,
    unpack_any,
    whole_number,
)
from handlers.common import current_actor, display_name, refuse, texts_for
from handlers.flows import survey_render as render
from handlers.flows.common import (
    END,
    Scratch,
    begin,
    card_markup,
    current,
    drop_buttons,
    expired,
    step,
)
from handlers.flows.content import town_files
from handlers.private_text import Owner, asked, owner
from handlers.reports import for_household
from handlers.reports.notify import tell_staff
from handlers.staff_notices import post
from models.errors import Refusal
from models.questionnaire import (
    BadAnswer,
    Questionnaire,
    finish_multiple,
    localized,
    next_index,
    parse_typed,
    toggle,
)
from services import survey
from services.reports.filing import Filed

NAME = "survey"
ANSWERING = "survey"


def _questionnaire(context: GridContext) -> Questionnaire:
    return town_files(context.rt).questionnaire


def _still_valid(context: GridContext, scratch: Scratch) -> bool:
    """Whether the scratch belongs to the questionnaire in use (the file may have changed)."""
    questionnaire = _questionnaire(context)
    return scratch.get("questionnaire") == questionnaire.id and 0 <= int(
        scratch.get("index", -1)
    ) < len(questionnaire.questions)


async def start(update: Update, context: GridContext) -> object:
    """Begin the questionnaire (or pick up where this person left it)."""
    rt, user = context.rt, update.effective_user
    assert user is not None
    t = texts_for(context, update)
    try:
        opening = await survey.opening(rt.db, rt.clock, rt.config, user.id)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return END
    questionnaire = _questionnaire(context)
    scratch = current(context, NAME)
    if (
        scratch is not None
        and scratch.get("household") is None  # not a questionnaire entered for a household
        and scratch.get("round") == opening.round.code
        and _still_valid(context, scratch)
    ):
        await _reply(update, t("survey.resume"))
    else:
        scratch = _fresh(context, questionnaire, opening.round.code)
        intro = [t("survey.title", title=localized(questionnaire.title, t.code))]
        if questionnaire.intro:
            intro.append(t("survey.intro", text=localized(questionnaire.intro, t.code)))
        intro.append(t("survey.how_to_leave"))
        await _reply(update, "\n".join(intro))
    await _ask(update, context, t, scratch)
    return ANSWERING


def _fresh(
    context: GridContext, questionnaire: Questionnaire, round_code: str, **extra: Any
) -> Scratch:
    """A new answer of this round's questionnaire, at its first question (`extra`: whose
    household a worker enters it for)."""
    first = next_index(questionnaire, {}, -1)
    assert first is not None
    return begin(
        context,
        NAME,
        round=round_code,
        questionnaire=questionnaire.id,
        index=first,
        answers={},
        picked=[],
        msg=None,
        report_msg=None,
        **extra,
    )


async def start_for_household(update: Update, context: GridContext) -> object:
    """A worker enters this round's questionnaire for a household (代填): the same questions,
    validation and flow; stored once per household per round, marked as the worker's."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        household_part, code = unpack(query.data, for_household.SURVEY_PREFIX, 2)
        household_id, collected_on = number(household_part), for_household.parse_collected(code)
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return END
    entered_by = survey.EnteredBy(await current_actor(context, update), household_id, collected_on)
    try:
        opening = await survey.opening_for(rt.db, rt.clock, rt.config, entered_by, query.id)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return END
    await query.answer()
    if opening is None:  # the same press delivered again: the flow goes on where it is
        return None
    questionnaire = _questionnaire(context)
    label = opening.household.head_name
    scratch = _fresh(
        context,
        questionnaire,
        opening.round.code,
        household=household_id,
        household_label=label,
        collected_on=collected_on,
    )
    where = t(f"onbehalf.collected_{collected_on or 'none'}")
    intro = [
        t("survey.title", title=localized(questionnaire.title, t.code)),
        t("onbehalf.survey_for", household=label, where=where),
        t("survey.how_to_leave"),
    ]
    await _reply(update, "\n".join(intro))
    await _ask(update, context, t, scratch)
    return ANSWERING


async def _reply(update: Update, text: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text)


async def _ask(update: Update, context: GridContext, t: Lang, scratch: Scratch) -> None:
    questionnaire = _questionnaire(context)
    index = int(scratch["index"])
    question = questionnaire.questions[index]
    chat = update.effective_chat
    assert chat is not None
    sent = await context.bot.send_message(
        chat.id,
        render.question_text(t, questionnaire, index),
        reply_markup=render.keyboard(t, question, index, scratch.get("picked")),
    )
    scratch["msg"] = sent.message_id
    await asked(update, context, Owner.FLOW, message_id=sent.message_id)


@step(NAME)
async def pressed(update: Update, context: GridContext, scratch: Scratch) -> object:
    """A button of the current question: an answer, a toggle, Done or Skip."""
    query = update.callback_query
    assert query is not None
    if not _still_valid(context, scratch):
        await expired(update, context)
        return END
    t = texts_for(context, update)
    try:
        parts = [render.PREFIX, *unpack_any(query.data, render.PREFIX, 1, 3)]
    except BadCallbackData:
        parts = []
    questionnaire = _questionnaire(context)
    index = int(scratch["index"])
    if len(parts) < 3 or whole_number(parts[2]) != index:
        await query.answer(t("survey.stale"), show_alert=True)
        return ANSWERING
    question = questionnaire.questions[index]
    picked = whole_number(parts[3]) if len(parts) > 3 else None
    kind, choice = parts[1], -1 if picked is None else picked
    values = question.button_values()
    if kind in (render.ANSWER, render.TOGGLE) and not 0 <= choice < len(values):
        await query.answer(t("survey.stale"), show_alert=True)
        return ANSWERING
    if kind == render.TOGGLE:
        scratch["picked"] = toggle(question, list(scratch.get("picked") or []), choice)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(
                render.keyboard(t, question, index, scratch["picked"])
            )
        return ANSWERING
    value: Any
    if kind == render.DONE:
        try:
            value = finish_multiple(question, list(scratch.get("picked") or []))
        except BadAnswer as bad:
            await query.answer(render.invalid_text(t, question, bad), show_alert=True)
            return ANSWERING
    elif kind == render.SKIP and not question.required:
        value = None
    elif kind == render.ANSWER:
        value = values[choice]
    else:
        await query.answer(t("survey.stale"), show_alert=True)
        return ANSWERING
    await query.answer()
    if isinstance(query.message, Message):
        # The question's text is already escaped HTML (from the catalog).
        await query.message.edit_text(
            t(
                "survey.answered",
                question=Html(render.question_text(t, questionnaire, index)),
                answer=render.answer_text(t, question, value),
            )
        )
    return await _advance(update, context, t, scratch, value)


@step(NAME)
async def typed(update: Update, context: GridContext, scratch: Scratch) -> object:
    """A typed answer to the current question; a bad one gets the message and the question."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if await owner(update, context) is not Owner.FLOW:
        return ANSWERING
    if not _still_valid(context, scratch):
        await expired(update, context)
        return END
    t = texts_for(context, update)
    questionnaire = _questionnaire(context)
    question = questionnaire.questions[int(scratch["index"])]
    try:
        value = parse_typed(question, message.text)
    except BadAnswer as bad:
        await message.reply_text(render.invalid_text(t, question, bad))
        await drop_buttons(context, message.chat.id, scratch.get("msg"))
        await _ask(update, context, t, scratch)
        return ANSWERING
    await drop_buttons(context, message.chat.id, scratch.get("msg"))
    link = questionnaire.report
    if link is not None and question.id == link.description:
        scratch["report_msg"] = message.message_id
    return await _advance(update, context, t, scratch, value)


async def _advance(
    update: Update, context: GridContext, t: Lang, scratch: Scratch, value: Any
) -> object:
    questionnaire = _questionnaire(context)
    index = int(scratch["index"])
    answers: dict[str, Any] = dict(scratch["answers"])
    answers[questionnaire.questions[index].id] = value
    scratch["answers"], scratch["picked"] = answers, []
    following = next_index(questionnaire, answers, index)
    if following is not None:
        scratch["index"] = following
        await _ask(update, context, t, scratch)
        return ANSWERING
    return await _submit(update, context, t, scratch, answers)


async def _submit(
    update: Update, context: GridContext, t: Lang, scratch: Scratch, answers: dict[str, Any]
) -> object:
    rt, user, chat = context.rt, update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    questionnaire = _questionnaire(context)
    entered_by = None
    if scratch.get("household") is not None:
        actor = await current_actor(context, update)
        entered_by = survey.EnteredBy(actor, int(scratch["household"]), scratch.get("collected_on"))

    async def notify(filed: Filed) -> None:
        report = filed.report
        if report.for_household:
            await post(context, await for_household.household_notices(context, report))
        await tell_staff(context, report, filed.route.staff)

    try:
        done = await survey.submit(
            rt.db,
            rt.clock,
            rt.config,
            questionnaire,
            round_code=scratch["round"],
            tg_user_id=user.id,
            name=display_name(user),
            answers=answers,
            chat_id=chat.id,
            report_message_id=scratch.get("report_msg"),
            entered_by=entered_by,
            then=notify,
        )
    except Refusal as refusal:
        # The button (if any) was answered already: the refusal comes as a message.
        await context.bot.send_message(chat.id, t(refusal.key, **refusal.values))
        return END
    if entered_by is None:
        lines = [t("survey.thanks")]
    else:
        label = scratch.get("household_label", "")
        lines = [t("onbehalf.survey_done", household=label, round=scratch["round"])]
    if done.filed is not None:
        report, route = done.filed.report, done.filed.route
        handler = t("reports.name_separator").join(s.name for s in route.staff) or t(
            "reports.handler_level", level=t(f"common.role_l{int(route.level)}")
        )
        filed = "onbehalf.survey_filed" if entered_by is not None else "survey.filed"
        lines.append(t(filed, number=report.number, handler=handler))
    await context.bot.send_message(chat.id, "\n".join(lines), reply_markup=card_markup(t))
    return END


def handlers() -> list[BaseHandler[Update, GridContext, object]]:
    """The handlers of the answering state."""
    text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    return [
        CallbackQueryHandler(pressed, pattern=pattern(render.PREFIX)),
        MessageHandler(text, typed),
    ]
