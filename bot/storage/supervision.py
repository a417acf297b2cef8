"""Supervision (督办) and urging (催办) of reports in the database: the supervisions with
their instruction, due time and answer, and the reporter's urgings. Datetimes in and out."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_ts, to_ts
from bot.storage.db import Database
from models.reports import IN_PROGRESS, OPEN
from models.units import Level, Unit

_COLS = (
    "v.id, v.report_id, v.by_staff_id, s.name AS by_name, s.tg_user_id AS by_tg_user_id, "
    "v.instruction, v.set_at, v.due_at, v.answered_at, v.answered_by, v.answer, v.lapsed_at"
)
_FROM = "FROM report_supervisions v JOIN staff s ON s.id = v.by_staff_id"
_WAITING = tuple(sorted(s.value for s in IN_PROGRESS))
_OPEN = tuple(sorted(s.value for s in OPEN))


@dataclass(frozen=True)
class Supervision:
    """A cadre's supervision of a report."""

    id: int
    report_id: int
    by_staff_id: int
    by_name: str
    by_tg_user_id: int | None
    instruction: str
    set_at: datetime
    due_at: datetime
    answered_at: datetime | None
    answered_by: int | None
    answer: str
    lapsed_at: datetime | None

    @property
    def waiting(self) -> bool:
        """Whether the answer is still expected (neither answered nor lapsed)."""
        return self.answered_at is None and self.lapsed_at is None


def _supervision(row: sqlite3.Row) -> Supervision:
    def ts(value: int | None) -> datetime | None:
        return None if value is None else from_ts(value)

    return Supervision(
        id=row["id"],
        report_id=row["report_id"],
        by_staff_id=row["by_staff_id"],
        by_name=row["by_name"],
        by_tg_user_id=row["by_tg_user_id"],
        instruction=row["instruction"],
        set_at=from_ts(row["set_at"]),
        due_at=from_ts(row["due_at"]),
        answered_at=ts(row["answered_at"]),
        answered_by=row["answered_by"],
        answer=row["answer"],
        lapsed_at=ts(row["lapsed_at"]),
    )


async def add(
    db: Database, report_id: int, by_staff_id: int, instruction: str, at: datetime, due: datetime
) -> int:
    """Supervise a report; a report flagged as wanting supervision (待督办) no longer is."""
    found = await db.execute(
        "INSERT INTO report_supervisions (report_id, by_staff_id, instruction, set_at, due_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (report_id, by_staff_id, instruction, to_ts(at), to_ts(due)),
    )
    await db.execute("UPDATE reports SET supervision_wanted = 0 WHERE id = ?", (report_id,))
    return found


async def current(db: Database, report_id: int) -> Supervision | None:
    """The report's latest supervision."""
    row = await db.fetchone(
        f"SELECT {_COLS} {_FROM} WHERE v.report_id = ? ORDER BY v.id DESC LIMIT 1", (report_id,)
    )
    return _supervision(row) if row else None


async def latest_of(db: Database, report_ids: list[int]) -> dict[int, Supervision]:
    """The latest supervision of each of these reports that has one."""
    if not report_ids:
        return {}
    marks = ",".join("?" * len(report_ids))
    rows = await db.fetchall(
        f"SELECT {_COLS} {_FROM} WHERE v.id IN (SELECT MAX(id) FROM report_supervisions "
        f"WHERE report_id IN ({marks}) GROUP BY report_id)",
        tuple(report_ids),
    )
    return {r["report_id"]: _supervision(r) for r in rows}


async def answer(db: Database, supervision_id: int, staff_id: int, text: str, at: datetime) -> None:
    """The owner answered the supervision with progress."""
    await db.execute(
        "UPDATE report_supervisions SET answered_at = ?, answered_by = ?, answer = ? WHERE id = ?",
        (to_ts(at), staff_id, text, supervision_id),
    )


async def lapse(db: Database, supervision_id: int, at: datetime) -> None:
    """The supervision's due time passed without an answer (it escalated once)."""
    await db.execute(
        "UPDATE report_supervisions SET lapsed_at = ? WHERE id = ?", (to_ts(at), supervision_id)
    )


async def past_due(db: Database, now: datetime) -> list[Supervision]:
    """Supervisions still waiting for their answer whose due time is at or before `now`, of
    reports the grid still works on, oldest due first."""
    rows = await db.fetchall(
        f"SELECT {_COLS} {_FROM} JOIN reports r ON r.id = v.report_id "
        "WHERE v.answered_at IS NULL AND v.lapsed_at IS NULL AND v.due_at <= ? "
        f"AND r.status IN ({','.join('?' * len(_WAITING))}) ORDER BY v.due_at, v.id",
        (to_ts(now), *_WAITING),
    )
    return [_supervision(r) for r in rows]


async def add_urge(db: Database, report_id: int, tg_user_id: int, at: datetime) -> int:
    """Count one urging of the report; how many there are now."""
    await db.execute(
        "INSERT INTO report_urges (report_id, tg_user_id, at) VALUES (?, ?, ?)",
        (report_id, tg_user_id, to_ts(at)),
    )
    return await urge_count(db, report_id)


async def urge_count(db: Database, report_id: int) -> int:
    """How many times the report was urged."""
    found = await db.scalar("SELECT COUNT(*) FROM report_urges WHERE report_id = ?", (report_id,))
    return int(found or 0)


async def urge_counts(db: Database, report_ids: list[int]) -> dict[int, int]:
    """How many times each of these reports was urged (those never urged left out)."""
    if not report_ids:
        return {}
    marks = ",".join("?" * len(report_ids))
    rows = await db.fetchall(
        f"SELECT report_id, COUNT(*) AS n FROM report_urges WHERE report_id IN ({marks}) "
        "GROUP BY report_id",
        tuple(report_ids),
    )
    return {r["report_id"]: r["n"] for r in rows}


async def last_urge(db: Database, report_id: int) -> datetime | None:
    """When the report was last urged."""
    found = await db.scalar("SELECT MAX(at) FROM report_urges WHERE report_id = ?", (report_id,))
    return None if found is None else from_ts(found)


@dataclass(frozen=True)
class Figures:
    """A subtree's open reports under supervision and urged."""

    supervised: int  # open reports whose latest supervision is …
    answered: int  # … answered
    waiting: int  # … still waiting for the answer
    lapsed: int  # … past its due time unanswered
    urged: int  # open reports urged at least once
    urgings: int  # how many urgings of them
    overdue: list[int]  # ids of overdue open reports (the first few)
    # … and their numbers as people see them: #12 (DTY-12 for a county)
    overdue_numbers: list[str]


async def figures(db: Database, unit: Unit, overdue_limit: int) -> Figures:
    """The supervision and urging figures of the open reports of `unit`'s subtree."""
    level = int(unit.level)
    marks = ",".join("?" * len(_OPEN))
    sup = await db.fetchone(
        "SELECT COUNT(*) AS supervised, SUM(v.answered_at IS NOT NULL) AS answered, "
        "SUM(v.answered_at IS NULL AND v.lapsed_at IS NULL) AS waiting, "
        "SUM(v.answered_at IS NULL AND v.lapsed_at IS NOT NULL) AS lapsed "
        "FROM units u JOIN reports r ON r.micro_grid_id = u.id "
        "JOIN report_supervisions v ON v.id = "
        "(SELECT MAX(id) FROM report_supervisions WHERE report_id = r.id) "
        f"WHERE u.l{level}_id = ? AND u.level = 4 AND r.status IN ({marks})",
        (unit.id, *_OPEN),
    )
    urged = await db.fetchone(
        "SELECT COUNT(DISTINCT r.id) AS urged, COUNT(g.id) AS urgings "
        "FROM units u JOIN reports r ON r.micro_grid_id = u.id "
        "JOIN report_urges g ON g.report_id = r.id "
        f"WHERE u.l{level}_id = ? AND u.level = 4 AND r.status IN ({marks})",
        (unit.id, *_OPEN),
    )
    # The overdue reports in number order (a partial index) until enough are found in the
    # subtree; `+r.status` keeps the planner off the status index.
    late = await db.fetchall(
        "SELECT r.id, COALESCE(r.town_seq, r.id) AS number, "
        "(SELECT t.short FROM units t WHERE t.id = u.l1_id) AS short "
        "FROM reports r CROSS JOIN units u ON u.id = r.micro_grid_id "
        f"WHERE r.overdue = 1 AND u.l{level}_id = ? AND u.level = 4 AND +r.status IN ({marks}) "
        "ORDER BY r.id LIMIT ?",
        (unit.id, *_OPEN, overdue_limit),
    )
    assert sup is not None and urged is not None
    return Figures(
        supervised=sup["supervised"] or 0,
        answered=sup["answered"] or 0,
        waiting=sup["waiting"] or 0,
        lapsed=sup["lapsed"] or 0,
        urged=urged["urged"] or 0,
        urgings=urged["urgings"] or 0,
        overdue=[r["id"] for r in late],
        overdue_numbers=[
            f"{r['short']}-{r['number']}"
            if unit.level is Level.COUNTY and r["short"]
            else f"#{r['number']}"
            for r in late
        ],
    )


async def filed_level(db: Database, report_id: int) -> int | None:
    """The level a report was first sent to when it was filed (its history's first step)."""
    found = await db.scalar(
        "SELECT level FROM case_events WHERE kind = 'report' AND case_id = ? "
        "AND action = 'filed' ORDER BY id LIMIT 1",
        (report_id,),
    )
    return None if found is None else int(found)
