"""A button press no handler takes (garbage data, a removed feature's button) gets an answer.

Without one, the person's client shows a spinner until Telegram gives up.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.runtime import GridApp, GridContext
from handlers.common import texts_for

# Its own group, after every feature's: it looks at what the others would take.
UNCLAIMED_GROUP = 99


class UnclaimedPress(BaseHandler[Update, GridContext, None]):
    """Takes a callback query that no button handler of the application would take."""

    def __init__(self, app: GridApp) -> None:
        super().__init__(answer_stale)
        self._app = app

    def check_update(self, update: object) -> bool:
        """Whether this is a press that no other button handler matches."""
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        for handlers in self._app.handlers.values():
            for handler in handlers:
                if handler is self or not isinstance(
                    handler, CallbackQueryHandler | ConversationHandler
                ):
                    continue
                if handler.check_update(update):
                    return False
        return True


async def answer_stale(update: Update, context: GridContext) -> None:
    """Tell the person the button is not (or no longer) valid."""
    assert update.callback_query is not None
    await update.callback_query.answer(
        texts_for(context, update)("common.stale_button"), show_alert=True
    )


def register(app: GridApp) -> None:
    """Add the catch-all for button presses."""
    app.add_handler(UnclaimedPress(app), UNCLAIMED_GROUP)
