"""Small pieces every handler uses: language, actor, replies, refusals."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest, ChatMigrated, TelegramError
from telegram.ext import ExtBot

from bot import api_calls
from bot.runtime import GridContext, Runtime
from bot.texts import Lang
from models.errors import Refusal, TextKey
from models.permissions import Actor
from services import people
from services.actors import actor_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MenuCommand:
    """A command shown in Telegram's menu; `where` is "private", "group" or both."""

    name: str
    where: frozenset[str]


def private_only(name: str) -> MenuCommand:
    """A command for private chats."""
    return MenuCommand(name, frozenset({"private"}))


def group_only(name: str) -> MenuCommand:
    """A command for group chats."""
    return MenuCommand(name, frozenset({"group"}))


def anywhere(name: str) -> MenuCommand:
    """A command for both kinds of chat."""
    return MenuCommand(name, frozenset({"private", "group"}))


def pick_language(rt: Runtime, telegram_code: str | None) -> str:
    """The language for a private chat with someone whose Telegram language is this."""
    if rt.config.bot.follow_user_language and telegram_code:
        for supported in rt.texts.catalogs:
            if telegram_code.lower().startswith(supported):
                return supported
    return rt.config.bot.language


def language_of(rt: Runtime, update: Update) -> str:
    """The language to answer in: the group's (configured) one, or the user's in private."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type == Chat.PRIVATE and user is not None:
        return pick_language(rt, user.language_code)
    return rt.config.bot.language


async def language_for(context: GridContext, tg_user_id: int) -> Lang:
    """The catalog in the language this person reads in private (as last seen)."""
    code = await people.language_of(context.rt.db, tg_user_id)
    return context.rt.lang(pick_language(context.rt, code))


def texts_for(context: GridContext, update: Update) -> Lang:
    """The catalog in the language to answer this update in."""
    return context.rt.lang(language_of(context.rt, update))


def display_name(user: User) -> str:
    """How a Telegram user is named in messages."""
    return user.full_name or (f"@{user.username}" if user.username else str(user.id))


async def current_actor(context: GridContext, update: Update) -> Actor:
    """The actor behind this update."""
    assert update.effective_user is not None
    return await actor_for(context.rt.db, update.effective_user.id)


def is_group(update: Update) -> bool:
    """Whether the update comes from a group or supergroup."""
    chat = update.effective_chat
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


async def reply(update: Update, text: str, **kwargs: object) -> Message | None:
    """Answer the update's message in its chat (as a reply in groups)."""
    message = update.effective_message
    if message is None:
        return None
    if is_group(update):
        kwargs.setdefault("do_quote", True)
    return await message.reply_text(text, **kwargs)  # type: ignore[arg-type]


# Refusals may echo what was typed (an unknown code); a whole message of it would not fit.
ECHO_LIMIT = 100


def _clip(value: object) -> object:
    if isinstance(value, str) and len(value) > ECHO_LIMIT:
        return value[: ECHO_LIMIT - 1] + "…"
    return value


async def refuse(update: Update, t: Lang, refusal: Refusal) -> None:
    """Tell the person why not: an alert for a button, a reply for a message."""
    values = {k: t(v) if isinstance(v, TextKey) else _clip(v) for k, v in refusal.values.items()}
    text = t(refusal.key, **values)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(update, text)


def offers_button(message: object, data: str | None) -> bool:
    """Whether this message (as the press carried it) shows a button with this data.

    For buttons whose data names nothing (no number to check ownership of), this is what
    tells a real press from callback data sent on any message.
    """
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    rows = message.reply_markup.inline_keyboard
    return any(button.callback_data == data for row in rows for button in row)


async def edit_pressed(
    message: object, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Replace the text (and buttons) of the message a button was pressed on; False if not.

    It cannot be edited when it is a photo, already says this, is too old, stayed behind in
    a group that became a supergroup, or is some other message forged callback data was
    sent on: none of that is worth an error.
    """
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_text(text, reply_markup=markup)
    except (BadRequest, ChatMigrated) as exc:
        log.info("could not edit message %s in %s: %s", message.message_id, message.chat.id, exc)
        return False
    return True


async def set_buttons(message: object, markup: InlineKeyboardMarkup | None) -> bool:
    """Replace (None: remove) the buttons of the message a button was pressed on."""
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except (BadRequest, ChatMigrated) as exc:
        log.info("could not edit buttons of %s in %s: %s", message.message_id, message.chat.id, exc)
        return False
    return True


def command_args(context: GridContext) -> str:
    """The text after the command, joined back together."""
    return " ".join(context.args or []).strip()


async def answer_quietly(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press, best effort (it never decides whether notices go out)."""
    try:
        # A plain call: its answer (True) needs no PTB object.
        bot, params = query.get_bot(), {"callback_query_id": query.id, "text": text}
        assert isinstance(bot, ExtBot)
        await api_calls.call(bot, "answerCallbackQuery", None, params)
    except TelegramError as exc:
        log.info("could not answer button press %s: %s", query.id, exc)
