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
    subject_id: int | None = None
    message_id: int | None = None
    asked_at: int
    expires_at: int


_COLS = "id, tg_user_id, chat_id, flow, subject_id, message_id, asked_at, expires_at"


async def ask(
    db: Database,
    tg_user_id: int,
    chat_id: int,
    flow: str,
    asked_at: int,
    expires_at: int,
    subject_id: int | None = None,
    message_id: int | None = None,
) -> None:
    """Record a question (replacing this flow's earlier one in this chat, as the newest)."""
    await db.execute(
        "DELETE FROM pending_questions WHERE tg_user_id = ? AND chat_id = ? AND flow = ?",
        (tg_user_id, chat_id, flow),
    )
    await db.execute(
        "INSERT INTO pending_questions (tg_user_id, chat_id, flow, subject_id, message_id, "
        "asked_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (tg_user_id, chat_id, flow, subject_id, message_id, asked_at, expires_at),
    )


async def latest(db: Database, tg_user_id: int, now: int) -> Pending | None:
    """The person's most recent question not yet expired."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM pending_questions WHERE tg_user_id = ? AND expires_at > ? "
        "ORDER BY id DESC LIMIT 1",
        (tg_user_id, now),
    )
    return Pending(**dict(row)) if row is not None else None


async def forget(db: Database, tg_user_id: int, flow: str) -> None:
    """This flow no longer waits for the person's text (in any chat)."""
    await db.execute(
        "DELETE FROM pending_questions WHERE tg_user_id = ? AND flow = ?", (tg_user_id, flow)
    )


async def purge(db: Database, now: int) -> int:
    """Drop the questions expired by `now`; how many."""
    return await db.rowcount("DELETE FROM pending_questions WHERE expires_at <= ?", (now,))
