"""Pension-authentication requests, their history, and the messages sent to staff about them."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.clock import from_ts, to_ts
from bot.storage.cases import record_fields
from bot.storage.db import Database
from models.pension import Mode, NewRequest, PensionRequest, Status
from models.units import Level, Unit

_COLS = (
    "id, mode, status, for_self, person_name, id_last4, phone, requester_tg_id, requester_name, "
    "household_id, micro_grid_id, level, unit_id, owner_staff_id, escalations, overdue, due_at, "
    "visit_at, outcome_note, created_at, updated_at"
)
_OPEN = "('open', 'scheduled')"


def _ts(value: int | None) -> datetime | None:
    return None if value is None else from_ts(value)


def request_from_row(row: sqlite3.Row) -> PensionRequest:
    """A PensionRequest from a row selected with the request columns."""
    return PensionRequest(
        **record_fields(row),
        mode=Mode(row["mode"]),
        status=Status(row["status"]),
        for_self=bool(row["for_self"]),
        person_name=row["person_name"],
        id_last4=row["id_last4"],
        phone=row["phone"],
        requester_tg_id=row["requester_tg_id"],
        requester_name=row["requester_name"],
        household_id=row["household_id"],
        micro_grid_id=row["micro_grid_id"],
        level=Level(row["level"]) if row["level"] is not None else None,
        unit_id=row["unit_id"],
        due_at=_ts(row["due_at"]),
        visit_at=_ts(row["visit_at"]),
        outcome_note=row["outcome_note"],
    )


async def add_request(db: Database, new: NewRequest, at: int) -> int | None:
    """Store a request; None when this source message already made one."""
    request_id = await db.execute(
        "INSERT OR IGNORE INTO pension_requests (mode, status, for_self, person_name, id_last4, "
        "phone, requester_tg_id, requester_name, household_id, micro_grid_id, level, unit_id, "
        "due_at, source_chat_id, source_message_id, created_at, updated_at, closed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.mode.value,
            new.status.value,
            int(new.for_self),
            new.person_name,
            new.id_last4,
            new.phone,
            new.requester_tg_id,
            new.requester_name,
            new.household_id,
            new.micro_grid_id,
            int(new.level) if new.level else None,
            new.unit_id,
            to_ts(new.due_at) if new.due_at else None,
            new.source_chat_id,
            new.source_message_id,
            at,
            at,
            at if new.status is Status.GUIDED else None,
        ),
    )
    return request_id if await db.scalar("SELECT changes()") else None


async def request(db: Database, request_id: int) -> PensionRequest | None:
    """The request with this number."""
    row = await db.fetchone(f"SELECT {_COLS} FROM pension_requests WHERE id = ?", (request_id,))
    return request_from_row(row) if row else None


async def open_tasks(
    db: Database, staff_id: int, unit_ids: tuple[int, ...], limit: int
) -> list[PensionRequest]:
    """Open home visits waiting at these units or scheduled by this staff member."""
    marks = ",".join("?" * len(unit_ids)) or "NULL"
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM pension_requests WHERE status IN {_OPEN} AND "
        f"(unit_id IN ({marks}) OR owner_staff_id = ?) ORDER BY due_at, id LIMIT ?",
        (*unit_ids, staff_id, limit),
    )
    return [request_from_row(r) for r in rows]


def _subtree(unit: Unit) -> str:
    return f"micro_grid_id IN (SELECT id FROM units WHERE l{int(unit.level)}_id = ?)"


async def open_in_subtree(db: Database, unit: Unit) -> list[PensionRequest]:
    """Open home visits of `unit`'s subtree (for digests), oldest first."""
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM pension_requests WHERE status IN {_OPEN} AND {_subtree(unit)} "
        "ORDER BY created_at, id",
        (unit.id,),
    )
    return [request_from_row(r) for r in rows]


async def counts_in_subtree(
    db: Database, unit: Unit, since: int | None = None, until: int | None = None
) -> dict[tuple[str, str], int]:
    """How many requests of `unit`'s subtree by (mode, status), made in [since, until)."""
    sql = f"SELECT mode, status, COUNT(*) AS n FROM pension_requests WHERE {_subtree(unit)}"
    params: list[Any] = [unit.id]
    if since is not None:
        sql += " AND created_at >= ?"
        params.append(since)
    if until is not None:
        sql += " AND created_at < ?"
        params.append(until)
    rows = await db.fetchall(sql + " GROUP BY mode, status", params)
    return {(r["mode"], r["status"]): r["n"] for r in rows}


async def requests_in_subtree(db: Database, unit: Unit | None = None) -> list[PensionRequest]:
    """Every request (of `unit`'s subtree; None: the whole town, guidance without a place
    included), oldest first, for exports."""
    if unit is None:
        rows = await db.fetchall(f"SELECT {_COLS} FROM pension_requests ORDER BY id")
    else:
        rows = await db.fetchall(
            f"SELECT {_COLS} FROM pension_requests WHERE {_subtree(unit)} ORDER BY id", (unit.id,)
        )
    return [request_from_row(r) for r in rows]
