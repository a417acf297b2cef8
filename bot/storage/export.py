"""Rows for the export that no other feature already provides: reports with their history,
staff, units, household codes. One query per record type over the scope."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from bot.storage.db import Database
from models.units import Unit


def _scope(unit: Unit | None, alias: str = "u") -> tuple[str, list[object]]:
    if unit is None:
        return "1 = 1", []
    return f"{alias}.l{int(unit.level)}_id = ?", [unit.id]


async def reports(db: Database, unit: Unit | None) -> list[sqlite3.Row]:
    """Every report of the scope with its place and owner, by number."""
    where, params = _scope(unit)
    return await db.fetchall(
        "SELECT r.*, u.name AS micro_grid, g.name AS grid, v.name AS village, "
        "s.name AS owner, h.code AS household_code, rec.name AS recorder, "
        "(SELECT q.rating FROM report_ratings q WHERE q.report_id = r.id "
        "AND q.rater = 'reporter') AS reporter_rating, "
        "(SELECT COUNT(*) FROM report_affected a WHERE a.report_id = r.id) AS affected "
        "FROM reports r "
        "JOIN units u ON u.id = r.micro_grid_id LEFT JOIN units g ON g.id = u.l3_id "
        "LEFT JOIN units v ON v.id = u.l2_id LEFT JOIN staff s ON s.id = r.owner_staff_id "
        "LEFT JOIN staff rec ON rec.id = r.recorded_by_staff_id "
        f"LEFT JOIN households h ON h.id = r.household_id WHERE {where} ORDER BY r.id",
        params,
    )


async def report_events(db: Database, unit: Unit | None) -> list[sqlite3.Row]:
    """Every step of every report of the scope, in order."""
    where, params = _scope(unit)
    return await db.fetchall(
        "SELECT e.case_id AS report_id, COALESCE(r.town_seq, r.id) AS number, e.at, "
        "e.action, e.from_status, e.to_status, e.level, "
        "e.actor, e.note, s.name AS staff_name FROM case_events e "
        "JOIN reports r ON e.kind = 'report' AND r.id = e.case_id "
        "JOIN units u ON u.id = r.micro_grid_id "
        f"LEFT JOIN staff s ON s.id = e.staff_id WHERE {where} ORDER BY e.case_id, e.id",
        params,
    )


async def staff(db: Database, unit: Unit | None) -> list[sqlite3.Row]:
    """Staff holding a unit of the scope, with the codes of their units."""
    where, params = _scope(unit)
    return await db.fetchall(
        "SELECT s.id, s.code, s.name, s.phone, s.level, s.active, s.tg_user_id IS NOT NULL "
        "AS linked, s.linked_at, GROUP_CONCAT(u.code, ' ') AS unit_codes FROM staff s "
        "JOIN staff_units su ON su.staff_id = s.id JOIN units u ON u.id = su.unit_id "
        f"WHERE {where} GROUP BY s.id ORDER BY s.level, s.code",
        params,
    )


async def units(db: Database, unit: Unit | None) -> list[sqlite3.Row]:
    """Units of the scope with their parent's code and their active households."""
    where, params = _scope(unit)
    return await db.fetchall(
        "SELECT u.id, u.code, u.name, u.level, u.active, u.center_lat, u.center_lon, "
        "u.radius_m, p.code AS parent_code, "
        "(SELECT COUNT(*) FROM households h WHERE h.micro_grid_id = u.id AND h.active = 1) "
        "AS households FROM units u LEFT JOIN units p ON p.id = u.parent_id "
        f"WHERE {where} ORDER BY u.level, u.code",
        params,
    )


async def household_codes(db: Database, ids: Iterable[int | None]) -> dict[int, str]:
    """Household codes by id."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    rows = await db.fetchall(f"SELECT id, code FROM households WHERE id IN ({marks})", wanted)
    return {r["id"]: r["code"] for r in rows}


async def unit_names(db: Database, unit: Unit | None) -> dict[int, str]:
    """Names of every unit of the scope, by id."""
    where, params = _scope(unit)
    rows = await db.fetchall(f"SELECT u.id, u.name FROM units u WHERE {where}", params)
    return {r["id"]: r["name"] for r in rows}


async def ratings(db: Database, unit: Unit | None) -> list[sqlite3.Row]:
    """Every answer to the satisfaction call-back about the scope's reports, by number."""
    where, params = _scope(unit)
    return await db.fetchall(
        "SELECT q.report_id, COALESCE(r.town_seq, r.id) AS number, q.rater, q.rating, "
        "q.comment, q.answered_at, s.name AS recorded_by "
        "FROM report_ratings q JOIN reports r ON r.id = q.report_id "
        "JOIN units u ON u.id = r.micro_grid_id LEFT JOIN staff s ON s.id = q.by_staff_id "
        f"WHERE q.rating IS NOT NULL AND {where} ORDER BY q.report_id, q.id",
        params,
    )


async def worker_ratings(db: Database, unit: Unit | None) -> list[sqlite3.Row]:
    """Per worker owning reports of the scope: the call-back answers counted by rating."""
    where, params = _scope(unit)
    return await db.fetchall(
        "SELECT s.code, s.name, SUM(q.rating = 'satisfied') AS satisfied, "
        "SUM(q.rating = 'fair') AS fair, SUM(q.rating = 'dissatisfied') AS dissatisfied "
        "FROM report_ratings q JOIN reports r ON r.id = q.report_id "
        "JOIN units u ON u.id = r.micro_grid_id JOIN staff s ON s.id = r.owner_staff_id "
        f"WHERE q.rating IS NOT NULL AND {where} GROUP BY s.id ORDER BY s.code",
        params,
    )
