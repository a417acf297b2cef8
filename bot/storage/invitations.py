"""One-time invitations that link a Telegram account to a staff record."""

from __future__ import annotations

from pydantic import BaseModel

from bot.storage.db import Database


class Invitation(BaseModel):
    """A stored invitation."""

    token: str
    staff_id: int
    created_by: int | None
    created_at: int
    expires_at: int
    used_at: int | None
    used_by: int | None


async def add_invitation(
    db: Database, token: str, staff_id: int, created_by: int | None, at: int, expires_at: int
) -> None:
    """Store a new invitation."""
    await db.execute(
        "INSERT INTO invitations (token, staff_id, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (token, staff_id, created_by, at, expires_at),
    )


async def invitation(db: Database, token: str) -> Invitation | None:
    """The invitation with this token."""
    row = await db.fetchone(
        "SELECT token, staff_id, created_by, created_at, expires_at, used_at, used_by "
        "FROM invitations WHERE token = ?",
        (token,),
    )
    return Invitation(**dict(row)) if row else None


async def use_invitation(db: Database, token: str, tg_user_id: int, at: int) -> bool:
    """Mark an unused invitation used; False when it was already used."""
    changed = await db.rowcount(
        "UPDATE invitations SET used_at = ?, used_by = ? WHERE token = ? AND used_at IS NULL",
        (at, tg_user_id, token),
    )
    return changed > 0
