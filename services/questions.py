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


def lifetime(config: Config, asker: Asker) -> timedelta:
    """How long a question of this flow waits before it is forgotten."""
    if asker is Asker.LOGBOOK:
        return config.logbook_timeout()
    if asker is Asker.ANNOUNCEMENT:
        return COMPOSE_WINDOW
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
) -> None:
    """Note that `asker` just asked this person for a text in this chat."""
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
        )


async def latest(db: Database, clock: Clock, tg_user_id: int) -> Pending | None:
    """The person's most recent question, unless it expired."""
    async with db.reading():
        return await store.latest(db, tg_user_id, to_ts(clock.now()))


async def purge(db: Database, clock: Clock) -> int:
    """Forget the questions that expired; how many."""
    async with db.transaction():
        return await store.purge(db, to_ts(clock.now()))
