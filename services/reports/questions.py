"""The report loop's forced-reply questions: is this bot message one still waiting for a reply?"""

from __future__ import annotations

from bot.clock import Clock
from bot.storage import reports as store
from bot.storage.db import Database
from services import questions
from services.questions import Asker


async def awaits_reply(
    db: Database, clock: Clock, chat_id: int, question_id: int, tg_user_id: int
) -> bool:
    """Whether the bot's message `question_id` asks this person for a text still to come.

    Either a report's description (asked of the reporter), a worker's note, or the comment
    after a call-back answer.
    """
    async with db.reading():
        draft = await store.draft_by_question(db, chat_id, question_id)
        if draft is not None and draft.report_id is None:
            return draft.reporter_tg_id == tg_user_id
    for asker in (Asker.NOTE, Asker.COMMENT):
        if await questions.asked_by(db, clock, chat_id, question_id, tg_user_id, asker):
            return True
    return False
