"""The report loop in Telegram: filing, buttons, views, and replies to the bot's questions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.runtime import GridApp, GridContext
from handlers.common import MenuCommand, anywhere, private_only
from handlers.reports import filing, moves, onbehalf, satisfaction, supervise, views
from handlers.reports.spoken import ATTACHED, attachment_of

MENU: list[MenuCommand] = [
    anywhere("report"),
    anywhere("my"),
    anywhere("status"),
    private_only("tasks"),
]


async def on_reply(update: Update, context: GridContext) -> None:
    """A reply to one of the bot's questions: a report's description, a worker's note, a
    supervision's instruction or progress, or the comment after a call-back answer."""
    message = update.effective_message
    assert message is not None
    if await filing.answer_question(update, context):
        if message.location is not None:
            # Taken as part of a report: not a location for a /visit or /checkin too.
            raise ApplicationHandlerStop
        return
    if attachment_of(message) is not None:  # a note, an instruction and a comment are words
        return
    if await supervise.answer_question(update, context):
        return
    if await moves.answer_note(update, context):
        return
    await satisfaction.answer_comment(update, context)


def register(app: GridApp) -> None:
    """Add the report loop's handlers."""
    filing.register(app)
    moves.register(app)
    onbehalf.register(app)
    satisfaction.register(app)
    supervise.register(app)
    views.register(app)
    replies = filters.REPLY & (filters.TEXT | filters.PHOTO | ATTACHED) & ~filters.COMMAND
    app.add_handler(MessageHandler(replies, on_reply))
