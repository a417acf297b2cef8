"""Assessment queries: a month of report history per worker, in one pass over the subtree."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database
from models.units import Unit


@dataclass(frozen=True)
class WorkerReports:
    """What a worker did with reports in the period."""

    handled: int
    accepted_judged: int
    accepted_in_time: int
    resolved: int
    on_spot: int
    reopened: int
    confirmed: int


async def report_figures(
    db: Database, unit: Unit, start: int, end: int
) -> dict[int, WorkerReports]:
    """Per staff id: reports of the subtree they accepted or resolved in [start, end)."""
    rows = await db.fetchall(
        "SELECT e.staff_id, COUNT(DISTINCT e.case_id) AS handled, "
        "SUM(e.from_status = 'new' AND e.level = 4 AND r.accepted_in_time IS NOT NULL) "
        "AS accepted_judged, "
        "SUM(e.from_status = 'new' AND e.level = 4 AND r.accepted_in_time = 1) "
        "AS accepted_in_time, "
        "COUNT(DISTINCT CASE WHEN e.action = 'resolve' THEN e.case_id END) AS resolved, "
        "COUNT(DISTINCT CASE WHEN e.action = 'resolve' AND r.solved_on_spot = 1 "
        "THEN e.case_id END) AS on_spot, "
        "COUNT(DISTINCT CASE WHEN e.action = 'resolve' AND r.reopen_count > 0 "
        "THEN e.case_id END) AS reopened, "
        "COUNT(DISTINCT CASE WHEN e.action = 'resolve' AND EXISTS (SELECT 1 FROM "
        "case_events c WHERE c.kind = 'report' AND c.case_id = e.case_id "
        "AND c.action = 'confirm' "
        "AND c.id > e.id) THEN e.case_id END) AS confirmed "
        "FROM case_events e JOIN reports r ON e.kind = 'report' AND r.id = e.case_id "
        "JOIN units u ON u.id = r.micro_grid_id "
        f"WHERE e.action IN ('accept', 'resolve') AND e.at >= ? AND e.at < ? "
        f"AND e.staff_id IS NOT NULL AND u.l{int(unit.level)}_id = ? "
        "GROUP BY e.staff_id",
        (start, end, unit.id),
    )
    return {
        r["staff_id"]: WorkerReports(
            handled=r["handled"],
            accepted_judged=r["accepted_judged"] or 0,
            accepted_in_time=r["accepted_in_time"] or 0,
            resolved=r["resolved"],
            on_spot=r["on_spot"],
            reopened=r["reopened"],
            confirmed=r["confirmed"],
        )
        for r in rows
    }


@dataclass(frozen=True)
class Worker:
    """An L3/L4 worker of the subtree, the unit they are ranked within, their units' names."""

    staff_id: int
    code: str
    name: str
    level: int
    group_id: int
    unit_names: str


async def workers(db: Database, unit: Unit) -> list[Worker]:
    """Active grid workers (L3, L4) holding units of the subtree, by code."""
    level = int(unit.level)
    group = min(level + 1, 4)
    rows = await db.fetchall(
        f"SELECT s.id, s.code, s.name, s.level, MIN(u.l{group}_id) AS group_id, "
        "GROUP_CONCAT(u.name, '、') AS names FROM staff s "
        "JOIN staff_units su ON su.staff_id = s.id JOIN units u ON u.id = su.unit_id "
        f"WHERE u.l{level}_id = ? AND s.active = 1 AND s.level IN (3, 4) AND u.active = 1 "
        "GROUP BY s.id ORDER BY s.code",
        (unit.id,),
    )
    return [
        Worker(
            staff_id=r["id"],
            code=r["code"],
            name=r["name"],
            level=r["level"],
            group_id=r["group_id"],
            unit_names=r["names"] or "",
        )
        for r in rows
    ]
