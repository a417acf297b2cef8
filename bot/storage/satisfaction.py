"""The satisfaction call-back (回访) and "me too" (我也遇到) of reports: who is affected, who
was asked, what they answered. Datetimes in, datetimes out."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from pydantic import BaseModel

from bot.clock import to_ts
from bot.storage.db import Database
from bot.storage.digest import sub_level
from models.reports import report_number
from models.satisfaction import Rating, Tally
from models.units import Unit


class Affected(BaseModel):
    """A household (or a person) that has the same problem as a report."""

    report_id: int
    who: str
    household_id: int | None
    tg_user_id: int
    name: str
    chat_id: int


class Asked(BaseModel):
    """One call-back question: to whom, where, and the answer once given."""

    id: int
    report_id: int
    rater: str
    tg_user_id: int
    chat_id: int
    rating: Rating | None
    comment: str
    by_staff_id: int | None


async def add_affected(db: Database, affected: Affected, at: datetime) -> bool:
    """Count a household as affected; False when it was counted before."""
    await db.execute(
        "INSERT OR IGNORE INTO report_affected (report_id, who, household_id, tg_user_id, "
        "name, chat_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            affected.report_id,
            affected.who,
            affected.household_id,
            affected.tg_user_id,
            affected.name,
            affected.chat_id,
            to_ts(at),
        ),
    )
    return bool(await db.scalar("SELECT changes()"))


async def affected_of(db: Database, report_id: int) -> list[Affected]:
    """The households affected by a report, first counted first."""
    rows = await db.fetchall(
        "SELECT report_id, who, household_id, tg_user_id, name, chat_id FROM report_affected "
        "WHERE report_id = ? ORDER BY id",
        (report_id,),
    )
    return [Affected(**dict(r)) for r in rows]


async def affected_count(db: Database, report_id: int) -> int:
    """How many households are affected besides the reporter's."""
    count = await db.scalar(
        "SELECT COUNT(*) FROM report_affected WHERE report_id = ?", (report_id,)
    )
    return int(count or 0)


def _asked(row: sqlite3.Row) -> Asked:
    rating = row["rating"]
    return Asked(**{**dict(row), "rating": Rating(rating) if rating else None})


_ASKED_COLS = "id, report_id, rater, tg_user_id, chat_id, rating, comment, by_staff_id"


async def ask(
    db: Database, report_id: int, rater: str, tg_user_id: int, chat_id: int, at: datetime
) -> Asked | None:
    """Record the call-back question to `rater`; None when they were asked before."""
    await db.execute(
        "INSERT OR IGNORE INTO report_ratings (report_id, rater, tg_user_id, chat_id, asked_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (report_id, rater, tg_user_id, chat_id, to_ts(at)),
    )
    if not await db.scalar("SELECT changes()"):
        return None
    return await asked(db, report_id, rater)


async def asked(db: Database, report_id: int, rater: str) -> Asked | None:
    """The call-back question to `rater` about a report."""
    row = await db.fetchone(
        f"SELECT {_ASKED_COLS} FROM report_ratings WHERE report_id = ? AND rater = ?",
        (report_id, rater),
    )
    return _asked(row) if row else None


async def asked_by_id(db: Database, asked_id: int) -> Asked | None:
    """One call-back question by its id."""
    row = await db.fetchone(f"SELECT {_ASKED_COLS} FROM report_ratings WHERE id = ?", (asked_id,))
    return _asked(row) if row else None


async def rate(
    db: Database, asked_id: int, rating: Rating, at: datetime, by_staff_id: int | None
) -> bool:
    """Record the answer; False when the question was answered before."""
    await db.execute(
        "UPDATE report_ratings SET rating = ?, answered_at = ?, by_staff_id = ? "
        "WHERE id = ? AND rating IS NULL",
        (rating.value, to_ts(at), by_staff_id, asked_id),
    )
    return bool(await db.scalar("SELECT changes()"))


async def add_comment(db: Database, asked_id: int, comment: str) -> None:
    """Keep the optional comment given after the answer."""
    await db.execute("UPDATE report_ratings SET comment = ? WHERE id = ?", (comment, asked_id))


async def want_supervision(db: Database, report_id: int, at: datetime) -> None:
    """Flag a report for supervision (督办)."""
    await db.execute(
        "UPDATE reports SET supervision_wanted = 1, updated_at = ? WHERE id = ?",
        (to_ts(at), report_id),
    )


async def tallies(db: Database, unit: Unit, by: str, start: int, end: int) -> dict[int, Tally]:
    """The call-back answers given in [start, end) about reports of `unit`'s subtree, counted
    per sub-unit (`by` = "sub") or per the report's owner (`by` = "owner")."""
    level, sub = int(unit.level), sub_level(unit)
    key = {"sub": f"u.l{sub}_id", "owner": "r.owner_staff_id"}[by]
    # From the period's answers (few), never from the subtree's reports (CROSS JOIN keeps
    # that order).
    rows = await db.fetchall(
        f"SELECT {key} AS key, q.rating, COUNT(*) AS n FROM report_ratings q "
        "CROSS JOIN reports r ON r.id = q.report_id CROSS JOIN units u ON u.id = r.micro_grid_id "
        f"WHERE u.l{level}_id = ? AND q.rating IS NOT NULL AND q.answered_at >= ? "
        f"AND q.answered_at < ? AND {key} IS NOT NULL GROUP BY 1, 2",
        (unit.id, start, end),
    )
    found: dict[int, Tally] = {}
    for row in rows:
        found[row["key"]] = found.get(row["key"], Tally()).plus(Rating(row["rating"]), row["n"])
    return found


async def supervision_wanted(db: Database, unit: Unit, county: bool = False) -> list[str]:
    """Numbers of the subtree's reports flagged for supervision (待督办): `#12`, in the
    county form (`DTY-12`) when `county`."""
    rows = await db.fetchall(
        # From the few flagged reports (a partial index), never from the subtree's reports.
        "SELECT r.id, COALESCE(r.town_seq, r.id) AS number, t.short FROM reports r "
        "CROSS JOIN units u ON u.id = r.micro_grid_id LEFT JOIN units t ON t.id = u.l1_id "
        f"WHERE u.l{int(unit.level)}_id = ? AND r.supervision_wanted = 1 ORDER BY r.id",
        (unit.id,),
    )
    return [report_number(r["number"], r["short"] or "", county) for r in rows]


async def ratings_of_reports(db: Database) -> dict[int, list[tuple[str, str, str]]]:
    """Every answer per report: (rater, rating, comment), in the order given."""
    rows = await db.fetchall(
        "SELECT report_id, rater, rating, comment FROM report_ratings WHERE rating IS NOT NULL "
        "ORDER BY report_id, answered_at, id"
    )
    found: dict[int, list[tuple[str, str, str]]] = {}
    for row in rows:
        found.setdefault(row["report_id"], []).append((row["rater"], row["rating"], row["comment"]))
    return found
