"""/policy [words]: search the policy handbook; no match offers a policy-consultation report.

In a group the answer is public (it is the handbook); a consultation filed from a group goes
the way of /report there, one filed in private needs a household link like a private report.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.runtime import GridContext
from bot.texts import Lang
from handlers.callback_data import BadCallbackData, pack, pattern, unpack
from handlers.common import (
    command_args,
    display_name,
    is_group,
    offers_button,
    refuse,
    texts_for,
)
from handlers.flows.common import END, Scratch, begin, card_button, step
from handlers.flows.content import town_files
from handlers.private_text import Owner, asked, owner
from handlers.reports.notify import tell_staff
from handlers.reports.render import category_label
from models.errors import Refusal
from models.policy import PolicyEntry, search
from models.questionnaire import localized
from models.text_limits import shorten
from services.reports import filing

NAME = "policy"
WORDS = "policy:words"
PREFIX = "pl"
ENTRY, ASK = "e", "q"
SHOWN_QUESTION = 40
COMMAND = "/policy"


async def command(update: Update, context: GridContext) -> object:
    """Search for the words after /policy; without any, ask for them (usage in a group)."""
    t = texts_for(context, update)
    message = update.effective_message
    assert message is not None
    words = command_args(context)
    if words:
        await answer(update, context, words)
        return END
    if is_group(update):
        await message.reply_text(t("policy.usage_group"), do_quote=True)
        return END
    scratch = begin(context, NAME, msg=None)
    sent = await message.reply_text(t("policy.ask_words"))
    scratch["msg"] = sent.message_id
    await asked(update, context, Owner.FLOW, message_id=sent.message_id)
    return WORDS


@step(NAME)
async def typed(update: Update, context: GridContext, scratch: Scratch) -> object:
    """The words to search for, typed after /policy."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if await owner(update, context) is not Owner.FLOW:
        return WORDS
    await answer(update, context, message.text)
    return END


def _entry_button(t: Lang, entry: PolicyEntry) -> InlineKeyboardButton:
    return InlineKeyboardButton(entry.heading(t.code), callback_data=pack(PREFIX, ENTRY, entry.id))


def _shown(question: str) -> str:
    question = " ".join(question.split())
    return shorten(question, SHOWN_QUESTION)


async def answer(update: Update, context: GridContext, question: str) -> None:
    """Reply to the question with the best entries as buttons, or offer a consultation."""
    rt, message = context.rt, update.effective_message
    assert message is not None
    t = texts_for(context, update)
    found = search(town_files(rt).handbook, question, rt.config.flows.policy.max_results)
    if found:
        markup = InlineKeyboardMarkup([[_entry_button(t, e)] for e in found])
        await message.reply_text(
            t("policy.results", question=_shown(question), count=len(found)),
            reply_markup=markup,
            do_quote=True,
        )
        return
    category = category_label(rt.config, t, rt.config.flows.policy.report_category)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("policy.button_ask", category=category), callback_data=pack(PREFIX, ASK)
                )
            ]
        ]
    )
    # The answer quotes the question: the consultation button reads it back from there.
    await message.reply_text(
        t("policy.none", question=_shown(question), category=category),
        reply_markup=markup,
        do_quote=True,
    )


def entry_text(t: Lang, entry: PolicyEntry) -> str:
    """An entry in full."""
    return t(
        "policy.entry",
        title=entry.heading(t.code),
        body=localized(entry.body, t.code),
        source=entry.source,
        date=entry.date,
    )


async def show_entry(update: Update, context: GridContext) -> None:
    """An entry's button: show it in full (with the contact card button in private)."""
    query = update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        (entry_id,) = unpack(query.data, PREFIX, 2)[1:]
    except BadCallbackData:
        entry_id = ""
    entry = town_files(context.rt).handbook.entry(entry_id) if entry_id else None
    if entry is None or not isinstance(query.message, Message):
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    await query.answer()
    markup = None if is_group(update) else InlineKeyboardMarkup([[card_button(t)]])
    await query.message.reply_text(entry_text(t, entry), reply_markup=markup, do_quote=False)


def _question_of(asked: Message) -> str:
    text = (asked.text or "").strip()
    head, _, rest = text.partition(" ")
    if head.split("@")[0] == COMMAND:
        return rest.strip()
    return text


async def consult(update: Update, context: GridContext) -> None:
    """File the unanswered question as a policy-consultation report (once per question)."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    shown = query.message if isinstance(query.message, Message) else None
    asked = shown.reply_to_message if shown is not None else None
    if (
        shown is None
        or asked is None
        or not offers_button(shown, query.data)
        or not _question_of(asked)
    ):
        await query.answer(t("policy.ask_gone"), show_alert=True)
        return
    if asked.from_user is None or asked.from_user.id != query.from_user.id:
        await query.answer(t("policy.ask_not_yours"), show_alert=True)
        return
    try:
        filed = await filing.file_complete(
            rt.db,
            rt.clock,
            rt.config,
            chat_id=asked.chat.id,
            message_id=asked.message_id,
            tg_user_id=query.from_user.id,
            name=display_name(query.from_user),
            category=rt.config.flows.policy.report_category,
            description=_question_of(asked),
            private=not is_group(update),
            then=lambda filed: tell_staff(context, filed.report, filed.route.staff),
        )
    except Refusal as refusal:
        if refusal.key == "reports.use_group":
            refusal = Refusal("policy.ask_need_link")
        await refuse(update, t, refusal)
        return
    if filed is None:
        await query.answer(t("policy.ask_already"), show_alert=True)
        return
    await query.answer()
    await shown.edit_reply_markup(None)
    route = filed.route
    handler = t("reports.name_separator").join(s.name for s in route.staff) or t(
        "reports.handler_level", level=t(f"common.role_l{int(route.level)}")
    )
    await asked.reply_text(
        t("policy.ask_filed", number=filed.report.number, handler=handler), do_quote=True
    )


def entry_handlers() -> list[BaseHandler[Update, GridContext, object]]:
    """/policy in private (it may ask for words, a one-step flow)."""
    return [CommandHandler("policy", command, filters=filters.ChatType.PRIVATE)]


def words_handlers() -> list[BaseHandler[Update, GridContext, object]]:
    """The handlers of the waiting-for-words state."""
    text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    return [MessageHandler(text, typed)]


def plain_handlers() -> list[BaseHandler[Update, GridContext, object]]:
    """Handlers outside any flow: /policy in groups, the entry and consultation buttons."""
    return [
        CommandHandler("policy", command, filters=filters.ChatType.GROUPS),
        CallbackQueryHandler(show_entry, pattern=f"^{PREFIX}:{ENTRY}:"),
        CallbackQueryHandler(consult, pattern=pattern(PREFIX) + f"{ASK}$"),
    ]
