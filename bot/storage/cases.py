"""Cases in the database: the engine's state of a report or a home visit, its history, and
the button presses already applied. Datetimes in, datetimes out; the columns are named here
only. Each kind keeps its details (a report's text and photo, the visit's person) in its own
table beside the case's state."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from bot.clock import from_ts, to_ts
from bot.storage.db import Database
from models.cases import CaseChange, CaseEvent, CaseState, Kind
from models.units import Level

_REPORT_COLS = (
    "id, status, level, unit_id, owner_staff_id, accept_due_at, resolve_due_at, escalations, "
    "overdue, reopen_count, solved_on_spot, accepted_in_time, accepted_at, resolved_at, "
    "closed_at, duplicate_of, confirm_due_at"
)
_VISIT_COLS = (
    "id, status, level, unit_id, owner_staff_id, due_at, escalations, overdue, closed_at, "
    "visit_at, outcome_note"
)


def _ts(value: int | None) -> datetime | None:
    return None if value is None else from_ts(value)


def _at(value: datetime | None) -> int | None:
    return None if value is None else to_ts(value)


def record_fields(row: sqlite3.Row) -> dict[str, Any]:
    """The fields every kind's record shares (`CaseRecord`), from its row."""
    return {
        "id": row["id"],
        "owner_staff_id": row["owner_staff_id"],
        "escalations": row["escalations"],
        "overdue": bool(row["overdue"]),
        "created_at": from_ts(row["created_at"]),
        "updated_at": from_ts(row["updated_at"]),
    }


def _report(row: sqlite3.Row) -> CaseState:
    # A report keeps one deadline per waiting status: to be accepted, to be resolved, then
    # to be confirmed by the resident.
    due = {
        "new": row["accept_due_at"],
        "accepted": row["resolve_due_at"],
        "resolved": row["confirm_due_at"],
    }.get(row["status"])
    judged = row["accepted_in_time"]
    return CaseState(
        kind=Kind.REPORT,
        id=row["id"],
        status=row["status"],
        level=Level(row["level"]),
        unit_id=row["unit_id"],
        owner_staff_id=row["owner_staff_id"],
        due_at=_ts(due),
        escalations=row["escalations"],
        overdue=bool(row["overdue"]),
        reopens=row["reopen_count"],
        solved_on_spot=bool(row["solved_on_spot"]),
        accepted_in_time=None if judged is None else bool(judged),
        accepted_at=_ts(row["accepted_at"]),
        resolved_at=_ts(row["resolved_at"]),
        closed_at=_ts(row["closed_at"]),
        duplicate_of=row["duplicate_of"],
    )


def _visit(row: sqlite3.Row) -> CaseState:
    return CaseState(
        kind=Kind.HOME_VISIT,
        id=row["id"],
        status=row["status"],
        level=Level(row["level"]) if row["level"] is not None else None,
        unit_id=row["unit_id"],
        owner_staff_id=row["owner_staff_id"],
        due_at=_ts(row["due_at"]),
        escalations=row["escalations"],
        overdue=bool(row["overdue"]),
        closed_at=_ts(row["closed_at"]),
        visit_at=_ts(row["visit_at"]),
        outcome=row["outcome_note"],
    )


async def case(db: Database, kind: Kind, case_id: int) -> CaseState | None:
    """The case of this kind and number."""
    if kind is Kind.REPORT:
        row = await db.fetchone(f"SELECT {_REPORT_COLS} FROM reports WHERE id = ?", (case_id,))
        return _report(row) if row else None
    row = await db.fetchone(
        f"SELECT {_VISIT_COLS} FROM pension_requests WHERE id = ? AND mode = 'home_visit'",
        (case_id,),
    )
    return _visit(row) if row else None


async def past_due(db: Database, kind: Kind, now: datetime) -> list[CaseState]:
    """Cases of `kind` still waiting on the grid whose deadline is at or before `now`."""
    at = to_ts(now)
    if kind is Kind.REPORT:
        rows = await db.fetchall(
            f"SELECT {_REPORT_COLS} FROM reports WHERE status = 'new' AND accept_due_at <= ? "
            f"UNION SELECT {_REPORT_COLS} FROM reports WHERE status = 'accepted' "
            "AND resolve_due_at <= ? "
            f"UNION SELECT {_REPORT_COLS} FROM reports WHERE status = 'resolved' "
            "AND confirm_due_at <= ? ORDER BY id",
            (at, at, at),
        )
        return [_report(r) for r in rows]
    rows = await db.fetchall(
        f"SELECT {_VISIT_COLS} FROM pension_requests WHERE status IN ('open', 'scheduled') "
        "AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at",
        (at,),
    )
    return [_visit(r) for r in rows]


async def save(db: Database, change: CaseChange) -> int:
    """Store a case's new state and append the step to its history; returns the step's id."""
    after, at = change.after, to_ts(change.at)
    if after.kind is Kind.REPORT:
        await db.execute(
            "UPDATE reports SET status = ?, level = ?, unit_id = ?, owner_staff_id = ?, "
            "accept_due_at = ?, resolve_due_at = ?, escalations = ?, overdue = ?, "
            "reopen_count = ?, solved_on_spot = ?, accepted_in_time = ?, accepted_at = ?, "
            "resolved_at = ?, closed_at = ?, duplicate_of = ?, confirm_due_at = ?, updated_at = ? "
            "WHERE id = ?",
            (
                after.status,
                int(after.level) if after.level is not None else None,
                after.unit_id,
                after.owner_staff_id,
                _at(after.due_at) if after.status == "new" else None,
                _at(after.due_at) if after.status == "accepted" else None,
                after.escalations,
                int(after.overdue),
                after.reopens,
                int(after.solved_on_spot),
                None if after.accepted_in_time is None else int(after.accepted_in_time),
                _at(after.accepted_at),
                _at(after.resolved_at),
                _at(after.closed_at),
                after.duplicate_of,
                _at(after.due_at) if after.status == "resolved" else None,
                at,
                after.id,
            ),
        )
    else:
        await db.execute(
            "UPDATE pension_requests SET status = ?, level = ?, unit_id = ?, owner_staff_id = ?, "
            "due_at = ?, escalations = ?, overdue = ?, closed_at = ?, visit_at = ?, "
            "outcome_note = ?, updated_at = ? WHERE id = ?",
            (
                after.status,
                int(after.level) if after.level is not None else None,
                after.unit_id,
                after.owner_staff_id,
                _at(after.due_at),
                after.escalations,
                int(after.overdue),
                _at(after.closed_at),
                _at(after.visit_at),
                after.outcome,
                at,
                after.id,
            ),
        )
    return await add_event(db, after.kind, after.id, change.event)


async def add_event(db: Database, kind: Kind, case_id: int, event: CaseEvent) -> int:
    """Append one step to a case's history; returns its id."""
    return await db.execute(
        "INSERT INTO case_events (kind, case_id, at, action, from_status, to_status, level, "
        "actor, staff_id, visit_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            case_id,
            to_ts(event.at),
            event.action,
            event.from_status,
            event.to_status,
            int(event.level) if event.level is not None else None,
            event.by.label,
            event.by.staff_id,
            _at(event.visit_at),
            event.note,
        ),
    )


@dataclass(frozen=True)
class Copy:
    """A staff member's private copy of a case (message_id None: not delivered)."""

    kind: Kind
    case_id: int
    staff_id: int
    chat_id: int | None
    message_id: int | None
    at: datetime

    def params(self) -> tuple[object, ...]:
        """The row's values for `ADD_COPY`."""
        delivered = int(self.message_id is not None)
        return (
            self.kind.value,
            self.case_id,
            self.staff_id,
            self.chat_id,
            self.message_id,
            delivered,
            to_ts(self.at),
        )


ADD_COPY = (
    "INSERT INTO case_notices (kind, case_id, staff_id, chat_id, message_id, delivered, at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


async def add_copy(db: Database, copy: Copy) -> None:
    """Remember a staff member's private copy of a case (or that it could not be sent)."""
    await db.execute(ADD_COPY, copy.params())


async def delivered_copies(db: Database, kind: Kind, case_id: int) -> list[tuple[int, int, int]]:
    """(staff id, chat id, message id) of every delivered copy of a case, oldest first."""
    rows = await db.fetchall(
        "SELECT staff_id, chat_id, message_id FROM case_notices "
        "WHERE kind = ? AND case_id = ? AND delivered = 1 GROUP BY chat_id, message_id "
        "ORDER BY MIN(id)",
        (kind.value, case_id),
    )
    return [(r["staff_id"], r["chat_id"], r["message_id"]) for r in rows]


class HistoryStep(BaseModel):
    """One step of a case's history, with the name of the staff member who made it."""

    case_id: int
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    level: int | None
    actor: str
    staff_id: int | None
    staff_name: str | None
    visit_at: datetime | None
    note: str


async def history(db: Database, kind: Kind, case_ids: list[int]) -> list[HistoryStep]:
    """The history of these cases, each oldest first."""
    if not case_ids:
        return []
    marks = ",".join("?" * len(case_ids))
    rows = await db.fetchall(
        "SELECT e.case_id, e.at, e.action, e.from_status, e.to_status, e.level, e.actor, "
        "e.staff_id, s.name AS staff_name, e.visit_at, e.note FROM case_events e "
        "LEFT JOIN staff s ON s.id = e.staff_id "
        f"WHERE e.kind = ? AND e.case_id IN ({marks}) ORDER BY e.case_id, e.id",
        (kind.value, *case_ids),
    )
    return [
        HistoryStep(**{**dict(r), "at": from_ts(r["at"]), "visit_at": _ts(r["visit_at"])})
        for r in rows
    ]


async def claim_press(db: Database, query_id: str, at: datetime) -> bool:
    """Record a button press; False when it was applied before."""
    await db.execute(
        "INSERT OR IGNORE INTO applied_presses (query_id, at) VALUES (?, ?)", (query_id, to_ts(at))
    )
    return bool(await db.scalar("SELECT changes()"))
