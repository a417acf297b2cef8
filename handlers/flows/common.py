"""What every step-by-step flow shares: its scratch, idle expiry, and the buttons at the end.

A person has at most one flow at a time. Its scratch lives in `user_data["flow"]` (JSON only:
it is persisted by bot/persistence.py) and carries the flow's name and the time of its last
step, so a flow left idle past `[flows] timeout` is over even if the bot restarted meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler

from bot.runtime import GridContext
from bot.texts import Lang
from handlers.callback_data import pack
from handlers.common import texts_for
from handlers.scratch import ENDED, SCRATCH, Scratch, drop_flow, idle, now_ts

END = ConversationHandler.END
CARD_PREFIX = "fc"
# The command that starts each flow again, for messages that point to it.
COMMANDS = {
    "survey": "/survey",
    "pension": "/pension",
    "policy": "/policy",
    "pension_fail": "/tasks",
}

Step = Callable[[Update, GridContext, Scratch], Coroutine[Any, Any, object]]
Callback = Callable[[Update, GridContext], Coroutine[Any, Any, object]]


def begin(context: GridContext, name: str, **data: Any) -> Scratch:
    """Start flow `name` for this person, replacing any other flow's scratch."""
    assert context.user_data is not None
    scratch: Scratch = {"name": name, "at": now_ts(context.rt), **data}
    context.user_data[SCRATCH] = scratch
    return scratch


def current(context: GridContext, name: str) -> Scratch | None:
    """This person's scratch for flow `name`, if it is that flow and still fresh."""
    data = context.user_data
    scratch = data.get(SCRATCH) if data is not None else None
    if not isinstance(scratch, dict) or scratch.get("name") != name:
        return None
    if idle(context.rt, scratch):
        finish(context)
        return None
    return scratch


def finish(context: GridContext) -> int:
    """Forget the flow's scratch; the conversation ends."""
    if context.user_data is not None:
        drop_flow(context.user_data)
        context.user_data[ENDED] = True
    return END


def changed(context: GridContext) -> bool:
    """Whether this person's flow moved during the update (clearing the end marker)."""
    data = context.user_data
    if data is None:
        return False
    ended = bool(data.pop(ENDED, False))
    return ended or SCRATCH in data


def flow_name(t: Lang, name: str) -> str:
    """A flow's name as people read it."""
    return t(f"flows.name_{name}")


def step(name: str) -> Callable[[Step], Callback]:
    """Run a step of flow `name` with its scratch; a stale or expired flow just ends."""

    def wrap(func: Step) -> Callback:
        @wraps(func)
        async def run(update: Update, context: GridContext) -> object:
            scratch = current(context, name)
            if scratch is None:
                await expired(update, context)
                return finish(context)
            state = await func(update, context, scratch)
            if state == END:
                if context.user_data is not None and context.user_data.get(SCRATCH) is scratch:
                    finish(context)
            else:
                scratch["at"] = now_ts(context.rt)
            return state

        return run

    return wrap


async def expired(update: Update, context: GridContext) -> None:
    """Tell the person this step belongs to a flow that is over."""
    t = texts_for(context, update)
    if update.callback_query is not None:
        await update.callback_query.answer(t("flows.expired_button"), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(t("flows.expired"))


def card_button(t: Lang) -> InlineKeyboardButton:
    """The contact-card button offered at the end of every flow."""
    return InlineKeyboardButton(t("flows.button_card"), callback_data=pack(CARD_PREFIX, "card"))


def card_markup(t: Lang) -> InlineKeyboardMarkup:
    """Only the contact-card button."""
    return InlineKeyboardMarkup([[card_button(t)]])


def open_private_markup(t: Lang, bot_username: str, payload: str) -> InlineKeyboardMarkup:
    """A button opening the private chat with the bot on a deep link (…?start=payload)."""
    url = f"https://t.me/{bot_username}?start={payload}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("flows.button_open_private"), url=url)]])


async def drop_buttons(context: GridContext, chat_id: int, message_id: int | None) -> None:
    """Remove the buttons of an earlier question (best effort: it may be gone)."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError:
        pass
