"""The one way a handler asks a person for a text with a forced reply: the question is sent
and recorded in the pending-question store, so the answer is routed back to its asker."""

from __future__ import annotations

from telegram import ForceReply

from bot.runtime import GridContext
from services import questions
from services.questions import Asker


async def ask_for_reply(
    context: GridContext,
    chat_id: int,
    user_id: int,
    text: str,
    asker: Asker,
    *,
    subject_id: int,
    kind: str = "",
    placeholder: str | None = None,
) -> None:
    """Send `text` to the chat as a forced reply for `user_id`, and record the question."""
    rt = context.rt
    question = await context.bot.send_message(
        chat_id,
        text,
        reply_markup=ForceReply(selective=True, input_field_placeholder=placeholder),
    )
    await questions.ask(
        rt.db,
        rt.clock,
        rt.config,
        user_id,
        question.chat.id,
        asker,
        subject_id=subject_id,
        message_id=question.message_id,
        kind=kind,
    )
