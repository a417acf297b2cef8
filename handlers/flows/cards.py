"""The contact-card button at the end of every flow: the card of the person's micro-grid."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.runtime import GridContext
from handlers.callback_data import pattern
from handlers.common import texts_for
from handlers.flows.common import CARD_PREFIX
from handlers.format import render_card
from services import groups
from services.pension import places


async def show_card(update: Update, context: GridContext) -> None:
    """Send the contact card of each micro-grid this person belongs to."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    chat = update.effective_chat
    assert chat is not None
    found = await places(rt.db, query.from_user.id)
    await query.answer()
    if not found:
        await chat.send_message(t("flows.card_none"))
        return
    for place in found:
        card = await groups.contact_card(rt.db, place.micro_grid)
        await chat.send_message(render_card(t, card))


def handler() -> CallbackQueryHandler[GridContext, None]:
    """The contact-card button's handler."""
    return CallbackQueryHandler(show_card, pattern=pattern(CARD_PREFIX))
