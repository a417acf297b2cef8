"""Per-person limits on reports and on commands and button presses, before any handler."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.runtime import GridContext
from handlers.common import texts_for
from models.limits import Kind

# After the ID-number screen (-4), before the private-text router (-2), membership tracking
# (-1) and every feature.
GROUP = -3


def _kinds(update: Update) -> list[Kind]:
    if update.callback_query is not None:
        return [Kind.ACTION]
    message = update.message
    if message is None:
        return []
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return []
    command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    if command == "report":
        return [Kind.REPORT, Kind.ACTION]
    return [Kind.ACTION]


async def check(update: Update, context: GridContext) -> None:
    """Let the update through, or refuse it politely (once per window) and stop here."""
    user = update.effective_user
    kinds = _kinds(update)
    if user is None or not kinds:
        return
    rt = context.rt
    verdict = rt.limits.check(user.id, kinds, rt.clock.now())
    if verdict.allowed:
        return
    t = texts_for(context, update)
    key = "limits.too_many_reports" if verdict.kind is Kind.REPORT else "limits.too_fast"
    if update.callback_query is not None:
        await update.callback_query.answer(t(key), show_alert=True)
    elif verdict.tell and update.message is not None:
        await update.message.reply_text(t(key))
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    """Add the limiter in front of every other handler."""
    app.add_handler(TypeHandler(Update, check), group=GROUP)
