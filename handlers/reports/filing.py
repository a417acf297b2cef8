"""/report: category buttons, the description as a forced reply, then routing."""

from __future__ import annotations

import logging

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import api_calls
from bot.runtime import GridApp, GridContext
from handlers.callback_data import BadCallbackData, number, pattern, unpack
from handlers.common import (
    answer_quietly,
    current_actor,
    display_name,
    edit_pressed,
    is_group,
    refuse,
    texts_for,
)
from handlers.reports import for_household, onbehalf
from handlers.reports.notify import subject_of, tell_staff
from handlers.reports.render import (
    CATEGORY_PREFIX,
    category_buttons,
    category_label,
    me_too_markup,
)
from handlers.reports.spoken import RECORDINGS, REPORT_CAPTION, said_of
from handlers.reports.supervision_render import urge_markup
from handlers.staff_notices import message, post
from models.chats import addressable
from models.errors import Refusal
from models.outbox import Notice, Recipient
from services.reports import filing
from services.reports import onbehalf as onbehalf_service
from services.reports.filing import Progress, Step

log = logging.getLogger(__name__)


def _text_after_command(message: Message) -> str:
    raw = message.text or message.caption or ""
    parts = raw.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def report(update: Update, context: GridContext) -> None:
    """Start filing a report from /report [text] (or a photo or recording captioned
    /report …)."""
    rt, message, user = context.rt, update.effective_message, update.effective_user
    assert message is not None and user is not None
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    said = said_of(message, _text_after_command(message))
    if not is_group(update) and await onbehalf_service.reports_for_households(rt.db, actor):
        # A grid worker's /report in private files for one of their households (代报), with
        # the photo or recording it carries.
        await onbehalf.open_picker(update, context, said.text or "", said)
        return
    try:
        progress = await filing.start(
            rt.db,
            rt.clock,
            rt.config,
            chat_id=message.chat.id,
            message_id=message.message_id,
            tg_user_id=user.id,
            name=display_name(user),
            text=said.text,
            photo_file_id=said.photo_file_id,
            private=not is_group(update),
            again=rt.inbox.handled_again(update.update_id),
            said=said,
            placeholder=t("voice.placeholder"),
            then=lambda progress: _filed(context, update, progress, None),
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await _continue(update, context, progress)


async def pick_category(update: Update, context: GridContext) -> None:
    """The reporter pressed a category button."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        draft_id, code = unpack(query.data, CATEGORY_PREFIX, 2)
        question = query.message if isinstance(query.message, Message) else None
        progress = await filing.choose_category(
            rt.db,
            rt.clock,
            rt.config,
            number(draft_id),
            code,
            query.from_user.id,
            then=lambda progress: _filed(context, update, progress, question),
        )
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await answer_quietly(query)
    if progress.step is Step.ALREADY_FILED and progress.report is not None:
        # Handled again after a restart: the question still shows buttons unless it already
        # became the confirmation; either way it ends as one that names the report.
        if question is not None and question.reply_markup is not None:
            await question.edit_text(t("reports.filed_before", number=progress.report.number))
        return
    if progress.step is Step.ASK_DESCRIPTION and question is not None:
        await edit_pressed(
            question, t("reports.category_chosen", category=category_label(rt.config, t, code))
        )
    await _continue(update, context, progress)


async def answer_question(update: Update, context: GridContext) -> bool:
    """A reply to the bot's description question (or a recording sent while it waits);
    False when it was not one."""
    rt, message, user = context.rt, update.effective_message, update.effective_user
    assert message is not None and user is not None
    t = texts_for(context, update)
    replied = message.reply_to_message
    said = said_of(message, message.text or message.caption)
    try:
        progress = await filing.describe(
            rt.db,
            rt.clock,
            rt.config,
            chat_id=message.chat.id,
            question_id=replied.message_id if replied is not None else None,
            tg_user_id=user.id,
            text=said.text,
            photo_file_id=said.photo_file_id,
            said=said,
            placeholder=t("voice.placeholder"),
            then=lambda progress: _filed(context, update, progress, None),
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return True
    if progress is None:
        return False
    await _continue(update, context, progress)
    return True


async def ask_again_after_upgrade(update: Update, context: GridContext, chat_id: int) -> None:
    """The group became a supergroup: ask the questions of reports being filed there again."""
    rt = context.rt
    for progress in await filing.waiting_after_upgrade(rt.db, rt.clock, rt.config, chat_id):
        await _continue(update, context, progress)


async def _continue(
    update: Update, context: GridContext, progress: Progress, replace: Message | None = None
) -> None:
    """Ask the next question, or confirm the filed report (editing `replace` when given)."""
    rt = context.rt
    t = texts_for(context, update)
    draft = progress.draft
    if progress.step is Step.ALREADY_SEEN or draft is None:
        return
    chat_id = draft.chat_id
    if progress.step is Step.ASK_CATEGORY:
        # A plain call: nothing reads the question's Message, which costs more to build
        # than anything else in asking.
        await api_calls.call(
            context.bot,
            "sendMessage",
            chat_id,
            {
                "text": t("reports.ask_category"),
                "reply_to_message_id": addressable(draft.message_id),
                "reply_markup": category_buttons(rt.config, t, draft.id).to_dict(),
                "allow_sending_without_reply": True,
            },
        )
        return
    if progress.step in (Step.ASK_DESCRIPTION, Step.LOCATION_NOTED):
        asking = "reports.ask_description"
        if progress.step is Step.LOCATION_NOTED:
            asking = "voice.location_noted"
        elif draft.recorded_by_staff_id is not None:
            asking = "onbehalf.ask_description"  # the worker writes down the household's words
        question = await context.bot.send_message(
            chat_id,
            t(asking, name=draft.reporter_name),
            reply_to_message_id=addressable(draft.message_id),
            allow_sending_without_reply=True,
            reply_markup=ForceReply(
                selective=True, input_field_placeholder=t("reports.description_placeholder")
            ),
        )
        await filing.asked(rt.db, draft.id, question.message_id)
        return
    filed = progress.filed
    assert filed is not None
    log.info(
        "report %s filed: category %s, micro-grid %s, to level %d (%d staff linked)",
        filed.report.number,
        filed.report.category,
        filed.micro_grid.code,
        int(filed.route.level),
        len(filed.route.staff),
    )


async def _filed(
    context: GridContext, update: Update, progress: Progress, question: Message | None
) -> None:
    """In the filing's transaction: the reporter's confirmation (the category question
    edited into it, one call less, else a reply) and the notices to the report's handlers,
    so that neither is lost to a crash or a failed call once the report exists."""
    if progress.step is not Step.FILED or progress.filed is None or progress.draft is None:
        return
    rt, t = context.rt, texts_for(context, update)
    report, route, draft = progress.filed.report, progress.filed.route, progress.draft
    names = t("reports.name_separator").join(s.name for s in route.staff) or t(
        "reports.handler_level", level=t(f"common.role_l{int(route.level)}")
    )
    text = t(
        "reports.filed",
        number=report.number,
        category=category_label(rt.config, t, report.category),
        handler=names,
    )
    key = f"report:{report.id}:filed:confirmation"
    # The reporter urges it (催一下) once its accept deadline has passed; other residents of a
    # group say "me too" on it (a private chat has nobody else).
    markup: InlineKeyboardMarkup | None = urge_markup(t, report.id)
    if report.for_household:
        markup = None  # the worker who filed it for a household is not its reporter
    elif is_group(update):
        markup = InlineKeyboardMarkup(
            [*urge_markup(t, report.id).inline_keyboard, *me_too_markup(t, report).inline_keyboard]
        )
    # A question left behind by a supergroup upgrade, or a photo, cannot be edited: reply.
    editable = question is not None and question.text and addressable(question.message_id)
    if question is not None and editable:
        confirmation = Notice(
            key,
            "editMessageText",
            question.chat.id,
            {"message_id": question.message_id, "text": text}
            | ({"reply_markup": markup.to_dict()} if markup is not None else {}),
            Recipient.RESIDENT,
            subject_of(report),
        )
    else:
        confirmation = message(
            key,
            draft.chat_id,
            text,
            Recipient.RESIDENT,
            subject_of(report),
            markup,
            reply_to=addressable(draft.message_id),
        )
    household = (
        await for_household.household_notices(context, report) if report.for_household else []
    )
    await post(context, [confirmation, *household])
    await tell_staff(context, report, route.staff)


async def recorded(update: Update, context: GridContext) -> None:
    """A recording sent, not as a reply, while this person's description question waits."""
    await answer_question(update, context)


def register(app: GridApp) -> None:
    """Add the filing handlers."""
    app.add_handler(CommandHandler("report", report))
    app.add_handler(MessageHandler(REPORT_CAPTION, report))
    app.add_handler(CallbackQueryHandler(pick_category, pattern=pattern(CATEGORY_PREFIX)))
    app.add_handler(MessageHandler(RECORDINGS & ~filters.REPLY, recorded))
