"""The questions waiting for a person's text (pending_questions)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.storage.db import Database


class Pending(BaseModel):
    """One question waiting for its answer."""

    model_config = ConfigDict(frozen=True)

    id: int
    tg_user_id: int
    chat_id: int
    flow: str
    kind: str = ""
    subject_id: int | None = None
    message_id: int | None = None
    asked_at: int
    expires_at: int


_COLS = "id, tg_user_id, chat_id, flow, kind, subject_id, message_id, asked_at, expires_at"


async def ask(
    db: Database,
    tg_user_id: int,
    chat_id: int,
    flow: str,
    asked_at: int,
    expires_at: int,
    subject_id: int | None = None,
    message_id: int | None = None,
    kind: str = "",
    one_per_chat: bool = True,
) -> None:
    """Record a question, as the newest: replacing this flow's earlier one in this chat
    (`one_per_chat`), and always an earlier question of the same message."""
    if one_per_chat:
        await db.execute(
            "DELETE FROM pending_questions WHERE tg_user_id = ? AND chat_id = ? AND flow = ?",
            (tg_user_id, chat_id, flow),
        )
    if message_id is not None:
        await db.execute(
            "DELETE FROM pending_questions WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
    await db.execute(
        "INSERT INTO pending_questions (tg_user_id, chat_id, flow, kind, subject_id, "
        "message_id, asked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (tg_user_id, chat_id, flow, kind, subject_id, message_id, asked_at, expires_at),
    )


async def latest(db: Database, tg_user_id: int, flows: tuple[str, ...], now: int) -> Pending | None:
    """The person's most recent question of one of these flows not yet expired."""
    marks = ", ".join("?" for _ in flows)
    row = await db.fetchone(
        f"SELECT {_COLS} FROM pending_questions WHERE tg_user_id = ? AND flow IN ({marks}) "
        "AND expires_at > ? ORDER BY id DESC LIMIT 1",
        (tg_user_id, *flows, now),
    )
    return Pending(**dict(row)) if row is not None else None


async def asked_by(
    db: Database, chat_id: int, message_id: int, tg_user_id: int, flow: str, now: int
) -> Pending | None:
    """The question of this flow the bot's message asked this person, unless it expired."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM pending_questions WHERE chat_id = ? AND message_id = ? "
        "AND tg_user_id = ? AND flow = ? AND expires_at > ?",
        (chat_id, message_id, tg_user_id, flow, now),
    )
    return Pending(**dict(row)) if row is not None else None


async def drop(db: Database, question_id: int) -> None:
    """The question was answered."""
    await db.execute("DELETE FROM pending_questions WHERE id = ?", (question_id,))


async def forget(db: Database, tg_user_id: int, flow: str) -> None:
    """This flow no longer waits for the person's text (in any chat)."""
    await db.execute(
        "DELETE FROM pending_questions WHERE tg_user_id = ? AND flow = ?", (tg_user_id, flow)
    )


async def purge(db: Database, now: int) -> int:
    """Drop the questions expired by `now`; how many."""
    return await db.rowcount("DELETE FROM pending_questions WHERE expires_at <= ?", (now,))
