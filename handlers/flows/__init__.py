"""Step-by-step flows: the questionnaire, pension-authentication help, the policy handbook.

One persistent ConversationHandler ("flows") keeps each person's current step, keyed by chat
and user, so a person has one flow at a time and a new one replaces the old. Its states and
the flows' scratch (`user_data`) are stored by bot/persistence.py and written through after
every private update, so a restart right after a step loses nothing.

Handler groups, in the order they see an update (after handlers.privacy, -3, and the
private-text decision, -2: a typed answer reaches a step only when handlers.private_text
gives it to the flow):
  0            plain handlers: group commands that point to the private chat (deep links),
               /policy in groups, entry / consultation / contact-card buttons, the worker's
               Schedule and Done buttons; /start records the person first (handlers.onboarding)
  FLOW_GROUP   the conversation, after the feature handlers (0) and the wrong-place pointers
               (1), so its deep-link /start runs once onboarding has noted the person
  PERSIST_GROUP  writes the new step through to the database

PTB warns that conversations assume one update at a time: bot/updates.py runs a chat's updates
in order, and every conversation here lives in one private chat, so none sees two at once.
"""

from __future__ import annotations

import warnings

from telegram import Chat, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.runtime import GridApp, GridContext
from handlers.callback_data import pattern
from handlers.common import MenuCommand, anywhere, private_only, texts_for
from handlers.flows import cards, pension, pension_staff, policy, survey
from handlers.flows.common import (
    COMMANDS,
    END,
    SCRATCH,
    changed,
    finish,
    flow_name,
    open_private_markup,
)
from handlers.reports.for_household import SURVEY_PREFIX

MENU: list[MenuCommand] = [
    anywhere("survey"),
    anywhere("pension"),
    anywhere("policy"),
    private_only("cancel"),
]
NAME = "flows"
FLOW_GROUP = 2
PERSIST_GROUP = 90
DEEP_LINKS = ("survey", "pension")
# Commands that only show something: using them in the middle of a flow keeps it.
KEEP = filters.Regex(r"^/(help|my|status|tasks|start)(@\w+)?(\s|$)")
_STALE = r"^(sv|pf):"


async def open_private(update: Update, context: GridContext) -> None:
    """/survey or /pension in a group: personal answers belong in the private chat."""
    message = update.effective_message
    assert message is not None and message.text is not None
    t = texts_for(context, update)
    name = message.text.split()[0].lstrip("/").split("@")[0]
    await message.reply_text(
        t(f"flows.open_private_{name}"),
        do_quote=True,
        reply_markup=open_private_markup(t, context.bot.username, name),
    )


def _current_name(context: GridContext) -> str | None:
    scratch = (context.user_data or {}).get(SCRATCH)
    return scratch.get("name") if isinstance(scratch, dict) else None


async def cancel(update: Update, context: GridContext) -> object:
    """/cancel: leave the flow in progress."""
    name = _current_name(context)
    finish(context)
    if name is not None and update.effective_message is not None:
        t = texts_for(context, update)
        await update.effective_message.reply_text(t("flows.cancelled", flow=flow_name(t, name)))
    return END


async def leave(update: Update, context: GridContext) -> object:
    """Another command in the middle of a flow: the flow steps aside, and says so."""
    name = _current_name(context)
    finish(context)
    if name is not None and update.effective_message is not None:
        t = texts_for(context, update)
        await update.effective_message.reply_text(
            t("flows.left", flow=flow_name(t, name), command=COMMANDS.get(name, ""))
        )
    return END


async def stale_button(update: Update, context: GridContext) -> object:
    """A question's button from a flow that is over."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts_for(context, update)("flows.expired_button"), show_alert=True)
    return END


async def stale_step(update: Update, context: GridContext) -> object:
    """A button of an earlier question while the flow waits at another step."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts_for(context, update)("flows.stale_step"), show_alert=True)
    return None  # stay at the current step


async def persist_now(update: object, context: GridContext) -> None:
    """Write this person's step and scratch through to the database right away."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != Chat.PRIVATE or update.effective_user is None:
        return
    if not changed(context):  # an update of no flow: nothing to write
        return
    context.application.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    await context.application.update_persistence()


def conversation() -> ConversationHandler[GridContext]:
    """The conversation holding every flow's states."""
    private = filters.ChatType.PRIVATE
    starts = [
        CommandHandler("survey", survey.start, filters=private),
        CommandHandler("pension", pension.start, filters=private),
        CommandHandler(
            "start", survey.start, filters=private & filters.Regex(r"^/start(@\w+)? survey$")
        ),
        CommandHandler(
            "start", pension.start, filters=private & filters.Regex(r"^/start(@\w+)? pension$")
        ),
        *policy.entry_handlers(),
        pension_staff.fail_entry(),
        CallbackQueryHandler(survey.start_for_household, pattern=pattern(SURVEY_PREFIX)),
    ]
    fallbacks = [
        *starts,
        CommandHandler("cancel", cancel, filters=private),
        MessageHandler(private & filters.COMMAND & ~KEEP, leave),
        CallbackQueryHandler(stale_step, pattern=_STALE),
    ]
    states = {
        survey.ANSWERING: survey.handlers(),
        **pension.handlers(),
        pension_staff.REASON: pension_staff.reason_handlers(),
        policy.WORDS: policy.words_handlers(),
    }
    with warnings.catch_warnings():
        # Buttons are tracked per person, not per message, on purpose: their data says
        # which question they belong to, and old ones are refused by the flow itself.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[*starts, CallbackQueryHandler(stale_button, pattern=_STALE)],
            states=states,  # type: ignore[arg-type]
            fallbacks=fallbacks,
            name=NAME,
            persistent=True,
            per_chat=True,
            per_user=True,
            allow_reentry=False,
        )


def register(app: GridApp) -> None:
    """Add the flows, their plain handlers and the write-through (their part of /tasks and
    their deep links are listed in handlers.features)."""
    groups = filters.ChatType.GROUPS
    app.add_handler(CommandHandler(list(DEEP_LINKS), open_private, filters=groups))
    for handler in policy.plain_handlers():
        app.add_handler(handler)
    app.add_handler(cards.handler())
    app.add_handler(pension_staff.buttons_handler())
    app.add_handler(conversation(), FLOW_GROUP)
    app.add_handler(TypeHandler(Update, persist_now), PERSIST_GROUP)


TASK_SECTION = pension_staff.tasks_section
