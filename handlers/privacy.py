"""What people type is screened before any feature sees it.

Runs first (handler group PRIVACY_GROUP), for every message the bot receives, in groups and in
private, whatever it answers (a command's words, a report, a caption, a note, a flow's answer,
an announcement):

- a whole ID number is refused: the message is deleted where the bot may delete it, the
  person is told in their language, and the update goes no further, so no feature stores,
  repeats or logs it;
- an edited message is never taken as a new answer: edits stop here (an edit that adds an ID
  number is still deleted and refused).
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.runtime import GridApp, GridContext
from bot.texts import Lang
from handlers.common import texts_for
from models.id_numbers import carries_id_number

# Before the private-text router (-2), membership tracking (-1) and every feature: nothing
# else sees a refused message.
PRIVACY_GROUP = -4


def _edited(update: Update) -> bool:
    return (
        update.edited_message is not None
        or update.edited_channel_post is not None
        or update.edited_business_message is not None
    )


async def screen(update: Update, context: GridContext) -> None:
    """Refuse a whole ID number; let no edited message through."""
    message = update.effective_message
    if message is not None and carries_id_number(_said(message)):
        await forget_id_number(message, texts_for(context, update))
        raise ApplicationHandlerStop
    if _edited(update):
        raise ApplicationHandlerStop


def _said(message: Message) -> str:
    """The message's words, with the addresses of its links (a link may hide a number too)."""
    links = [
        entity.url or ""
        for entity in (*message.entities, *message.caption_entities)
        if entity.url is not None
    ]
    return "\n".join([message.text or "", message.caption or "", *links])


async def forget_id_number(message: Message, t: Lang) -> None:
    """Delete a message carrying a whole ID number (when allowed) and say why."""
    try:
        deleted = bool(await message.delete())
    except TelegramError:
        deleted = False
    key = "pension.whole_id" if deleted else "pension.whole_id_kept"
    await message.get_bot().send_message(message.chat.id, t(key))


def register(app: GridApp) -> None:
    """Add the screen in front of every other handler."""
    app.add_handler(TypeHandler(Update, screen), PRIVACY_GROUP)
