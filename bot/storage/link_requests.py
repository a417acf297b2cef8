"""Residents asking to be linked to their household, and the link itself (people.household_id)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from bot.storage.db import Database
from models.units import Unit

_COLS = (
    "id, tg_user_id, display_name, household_id, micro_grid_id, chat_id, status, "
    "created_at, decided_at, decided_by"
)


class LinkRequest(BaseModel):
    """One request to link a Telegram user to a household."""

    model_config = ConfigDict(frozen=True)

    id: int
    tg_user_id: int
    display_name: str
    household_id: int
    micro_grid_id: int
    chat_id: int
    status: str
    created_at: int
    decided_at: int | None = None
    decided_by: int | None = None


async def add(
    db: Database,
    tg_user_id: int,
    name: str,
    household_id: int,
    micro_grid_id: int,
    chat_id: int,
    at: int,
) -> LinkRequest:
    """A new pending request; any earlier pending one of this person is withdrawn."""
    await db.execute(
        "UPDATE household_link_requests SET status = 'withdrawn', decided_at = ? "
        "WHERE tg_user_id = ? AND status = 'pending'",
        (at, tg_user_id),
    )
    request_id = await db.execute(
        "INSERT INTO household_link_requests (tg_user_id, display_name, household_id, "
        "micro_grid_id, chat_id, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
        (tg_user_id, name, household_id, micro_grid_id, chat_id, at),
    )
    found = await request(db, request_id)
    assert found is not None
    return found


async def request(db: Database, request_id: int) -> LinkRequest | None:
    """One request by id."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM household_link_requests WHERE id = ?", (request_id,)
    )
    return LinkRequest(**dict(row)) if row else None


async def decide(db: Database, request_id: int, status: str, staff_id: int, at: int) -> bool:
    """Approve or decline a pending request; False when it was no longer pending."""
    return (
        await db.rowcount(
            "UPDATE household_link_requests SET status = ?, decided_at = ?, decided_by = ? "
            "WHERE id = ? AND status = 'pending'",
            (status, at, staff_id, request_id),
        )
        > 0
    )


async def pending_within(db: Database, units: Sequence[Unit], limit: int) -> list[LinkRequest]:
    """The oldest `limit` pending requests of micro-grids in the units' subtrees."""
    if not units:
        return []
    within = " OR ".join(f"u.l{int(unit.level)}_id = ?" for unit in units)
    cols = ", ".join(f"r.{c.strip()}" for c in _COLS.split(","))
    rows = await db.fetchall(
        f"SELECT {cols} FROM household_link_requests r JOIN units u ON u.id = r.micro_grid_id "
        f"WHERE r.status = 'pending' AND ({within}) ORDER BY r.id LIMIT ?",
        [*(unit.id for unit in units), limit],
    )
    return [LinkRequest(**dict(r)) for r in rows]


async def link_person(
    db: Database, tg_user_id: int, display_name: str, household_id: int, at: int
) -> None:
    """Set the person's household (creating their record if the bot never stored it)."""
    await db.execute(
        "INSERT INTO people (tg_user_id, display_name, household_id, first_seen_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(tg_user_id) DO UPDATE SET "
        "household_id = excluded.household_id, updated_at = excluded.updated_at",
        (tg_user_id, display_name, household_id, at, at),
    )
