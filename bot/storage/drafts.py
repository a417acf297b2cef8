"""A /visit, /contact or /checkin in progress: one per person, stored so restarts lose nothing."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.storage.db import Database

_COLS = (
    "id, tg_user_id, kind, step, household_id, outcome, happened_on, note, query, page, "
    "updated_at, said"
)


class Draft(BaseModel):
    """The answers given so far and the step waiting for the next one."""

    model_config = ConfigDict(frozen=True)

    id: int
    tg_user_id: int
    kind: str
    step: str
    household_id: int | None = None
    outcome: str | None = None
    happened_on: str | None = None
    note: str | None = None
    query: str = ""
    page: int = 0
    updated_at: int
    said: str | None = None  # a report pick's photo / recording / location (JSON references)


async def start(db: Database, tg_user_id: int, kind: str, step: str, at: int) -> Draft:
    """Begin a new flow for this person, replacing any unfinished one."""
    await db.execute("DELETE FROM household_drafts WHERE tg_user_id = ?", (tg_user_id,))
    await db.execute(
        "INSERT INTO household_drafts (tg_user_id, kind, step, updated_at) VALUES (?, ?, ?, ?)",
        (tg_user_id, kind, step, at),
    )
    found = await of_user(db, tg_user_id)
    assert found is not None
    return found


async def of_user(db: Database, tg_user_id: int) -> Draft | None:
    """This person's flow in progress."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM household_drafts WHERE tg_user_id = ?", (tg_user_id,)
    )
    return Draft(**dict(row)) if row else None


async def update(db: Database, draft: Draft, at: int, **values: Any) -> Draft:
    """Store new answers and the next step."""
    sets = ", ".join(f"{key} = ?" for key in values)
    await db.execute(
        f"UPDATE household_drafts SET {sets}, updated_at = ? WHERE id = ?",
        [*values.values(), at, draft.id],
    )
    return draft.model_copy(update={**values, "updated_at": at})


async def drop(db: Database, tg_user_id: int) -> bool:
    """Forget this person's flow; True when there was one."""
    return await db.rowcount("DELETE FROM household_drafts WHERE tg_user_id = ?", (tg_user_id,)) > 0
