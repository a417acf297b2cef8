"""The error handler: log everything, tell the person something went wrong."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.runtime import GridContext
from handlers.common import texts_for

log = logging.getLogger(__name__)


async def on_error(update: object, context: GridContext) -> None:
    """Log the error and, when there is a chat to answer, apologise briefly."""
    if not isinstance(update, Update):
        log.error("error outside an update (%r)", update, exc_info=context.error)
        return
    # Never the update's content: people type phone and ID numbers into private chats.
    chat, user = update.effective_chat, update.effective_user
    log.error(
        "error while handling update %s (chat %s, user %s)",
        update.update_id,
        chat.id if chat else None,
        user.id if user else None,
        exc_info=context.error,
    )
    if chat is None:
        return
    t = texts_for(context, update)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t("common.error"), show_alert=True)
        else:
            await context.bot.send_message(chat.id, t("common.error"))
    except TelegramError:
        log.warning("could not report the error to chat %s", chat.id)
