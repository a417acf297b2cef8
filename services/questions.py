"""One record of the questions the bot asked a person and waits to have answered.

Every feature that asks for a text records it here (who, in which chat, which flow, about
what, until when); handlers.private_text routes the answer by the most recent one. The
features' own state still says whether they wait: a question here only orders them.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import questions as store
from bot.storage.db import Database
from bot.storage.questions import Pending
from services.announcements import COMPOSE_WINDOW


class Asker(StrEnum):
    """The flows that ask a person for a text in a private chat."""

    FLOW = "flow"  # a step-by-step flow (/survey, /pension, /policy, a visit's reason)
    LOGBOOK = "logbook"  # /visit, /contact, /checkin
    ANNOUNCEMENT = "announcement"  # an announcement's text
    NOTE = "note"  # a worker's note for a report's move, asked with a forced reply
    COMMENT = "comment"  # the optional comment after a satisfaction call-back answer


# The askers whose questions are answered by the next text typed (not by a reply).
TYPED = (Asker.FLOW, Asker.LOGBOOK, Asker.ANNOUNCEMENT)


def lifetime(config: Config, asker: Asker) -> timedelta:
    """How long a question of this flow waits before it is forgotten."""
    if asker is Asker.LOGBOOK:
        return config.logbook_timeout()
    if asker is Asker.ANNOUNCEMENT:
        return COMPOSE_WINDOW
    if asker in (Asker.NOTE, Asker.COMMENT):
        return config.retention.drafts
    return config.flows.timeout


async def ask(
    db: Database,
    clock: Clock,
    config: Config,
    tg_user_id: int,
    chat_id: int,
    asker: Asker,
    subject_id: int | None = None,
    message_id: int | None = None,
    kind: str = "",
) -> None:
    """Note that `asker` just asked this person for a text in this chat (a typed text's
    asker replaces its earlier question there; each note's question stays on its own)."""
    now = clock.now()
    async with db.transaction():
        await store.ask(
            db,
            tg_user_id,
            chat_id,
            asker.value,
            to_ts(now),
            to_ts(now + lifetime(config, asker)),
            subject_id=subject_id,
            message_id=message_id,
            kind=kind,
            one_per_chat=asker in TYPED,
        )


async def latest(db: Database, clock: Clock, tg_user_id: int) -> Pending | None:
    """The person's most recent question answered by typing, unless it expired."""
    async with db.reading():
        return await store.latest(db, tg_user_id, TYPED, to_ts(clock.now()))


async def asked_by(
    db: Database, clock: Clock, chat_id: int, message_id: int, tg_user_id: int, asker: Asker
) -> Pending | None:
    """The question the bot's message asked this person, still waiting for the reply."""
    async with db.reading():
        return await store.asked_by(
            db, chat_id, message_id, tg_user_id, asker.value, to_ts(clock.now())
        )


async def take(
    db: Database, clock: Clock, chat_id: int, message_id: int, tg_user_id: int, asker: Asker
) -> Pending | None:
    """The question this reply answers, no longer waiting; None when there is none."""
    async with db.transaction():
        found = await store.asked_by(
            db, chat_id, message_id, tg_user_id, asker.value, to_ts(clock.now())
        )
        if found is not None:
            await store.drop(db, found.id)
        return found


async def purge(db: Database, clock: Clock) -> int:
    """Forget the questions that expired; how many."""
    async with db.transaction():
        return await store.purge(db, to_ts(clock.now()))
