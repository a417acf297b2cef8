"""Reminder runs and sends: recorded before anything is sent, so nothing goes out twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.storage.db import Database
from models.units import Unit

_COLS = (
    "id, kind, occurrence, period, recipient, staff_id, household_id, chat_id, language, "
    "payload, status, error, attempts, created_at, sent_at"
)


class Send(BaseModel):
    """One reminder message to one recipient."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    occurrence: str
    period: str
    recipient: str
    staff_id: int | None
    household_id: int | None
    chat_id: int | None
    language: str | None
    payload: dict[str, Any]
    status: str
    error: str
    attempts: int
    created_at: int
    sent_at: int | None


class PlannedSend(BaseModel):
    """A send about to be recorded."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    staff_id: int | None = None
    household_id: int | None = None
    chat_id: int | None = None
    language: str | None = None
    payload: dict[str, Any]


def _send(row: Any) -> Send:
    data = dict(row)
    data["payload"] = json.loads(data["payload"])
    return Send(**data)


async def has_run(db: Database, kind: str, occurrence: str) -> bool:
    """Whether this occurrence was already planned."""
    return (
        await db.scalar(
            "SELECT 1 FROM reminder_runs WHERE kind = ? AND occurrence = ?", (kind, occurrence)
        )
        is not None
    )


async def add_run(
    db: Database, kind: str, occurrence: str, period: str, planned: Sequence[PlannedSend], at: int
) -> None:
    """Record an occurrence and every send it makes (pending), in the caller's transaction."""
    await db.execute(
        "INSERT INTO reminder_runs (kind, occurrence, period, planned_at, sends) "
        "VALUES (?, ?, ?, ?, ?)",
        (kind, occurrence, period, at, len(planned)),
    )
    await db.executemany(
        "INSERT OR IGNORE INTO reminder_sends (kind, occurrence, period, recipient, staff_id, "
        "household_id, chat_id, language, payload, status, error, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                kind,
                occurrence,
                period,
                p.recipient,
                p.staff_id,
                p.household_id,
                p.chat_id,
                p.language,
                json.dumps(p.payload, ensure_ascii=False),
                "pending" if p.chat_id is not None else "failed",
                "" if p.chat_id is not None else "not_linked",
                at,
            )
            for p in planned
        ],
    )


async def expire(db: Database, kind: str, current_period: str) -> int:
    """Pending sends of a period that is over will not be sent; returns how many."""
    return await db.rowcount(
        "UPDATE reminder_sends SET status = 'expired' WHERE status = 'pending' AND kind = ? "
        "AND period != ?",
        (kind, current_period),
    )


async def orphans_to_unknown(db: Database, process: str) -> int:
    """Sends left 'sending' by another process (stopped mid-send): their outcome is unknown,
    so they are never sent again."""
    return await db.rowcount(
        "UPDATE reminder_sends SET status = 'unknown' WHERE status = 'sending' "
        "AND (claimed_by IS NULL OR claimed_by != ?)",
        (process,),
    )


async def claim(db: Database, kinds: Sequence[str], process: str, limit: int) -> list[Send]:
    """Take up to `limit` pending sends of these kinds, marking them 'sending' by `process`."""
    if not kinds:
        return []
    marks = ",".join("?" * len(kinds))
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM reminder_sends WHERE status = 'pending' AND kind IN ({marks}) "
        "ORDER BY id LIMIT ?",
        [*kinds, limit],
    )
    if rows:
        ids = [r["id"] for r in rows]
        await db.execute(
            "UPDATE reminder_sends SET status = 'sending', attempts = attempts + 1, "
            f"claimed_by = ? WHERE id IN ({','.join('?' * len(ids))})",
            [process, *ids],
        )
    return [_send(r) for r in rows]


async def finish(db: Database, outcomes: Sequence[tuple[int, str, str, int | None]]) -> None:
    """Record (id, status, error, sent_at) of sends just attempted."""
    await db.executemany(
        "UPDATE reminder_sends SET status = ?, error = ?, sent_at = ? WHERE id = ?",
        [(status, error, sent_at, send_id) for send_id, status, error, sent_at in outcomes],
    )


async def sends_of(db: Database, kind: str, occurrence: str) -> list[Send]:
    """Every send of one occurrence, by id."""
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM reminder_sends WHERE kind = ? AND occurrence = ? ORDER BY id",
        (kind, occurrence),
    )
    return [_send(r) for r in rows]


async def failed_in(db: Database, unit: Unit, since: int) -> list[dict[str, Any]]:
    """Sends that failed since `since` to staff holding a unit in `unit`'s subtree, or about
    a household in it: kind, period, recipient's name, error, when."""
    level = f"u.l{int(unit.level)}_id"
    rows = await db.fetchall(
        "SELECT rs.id, rs.kind, rs.period, rs.occurrence, rs.recipient, rs.staff_id, "
        "rs.household_id, rs.error, rs.created_at, "
        "COALESCE(s.name, h.head_name, '') AS name, COALESCE(s.code, h.code, '') AS code "
        "FROM reminder_sends rs LEFT JOIN staff s ON s.id = rs.staff_id "
        "LEFT JOIN households h ON h.id = rs.household_id "
        "WHERE rs.status = 'failed' AND rs.created_at >= ? AND ("
        f" EXISTS (SELECT 1 FROM staff_units su JOIN units u ON u.id = su.unit_id "
        f"  WHERE su.staff_id = rs.staff_id AND {level} = ?) OR "
        f" EXISTS (SELECT 1 FROM units u WHERE u.id = h.micro_grid_id AND {level} = ?)) "
        "ORDER BY rs.created_at, rs.id",
        (since, unit.id, unit.id),
    )
    return [dict(r) for r in rows]
