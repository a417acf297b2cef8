"""Digest queries: report counts over a unit's subtree, and who gets the scheduled ones."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database
from models.digest import ReportCount
from models.reports import Status
from models.units import Level, Unit


def sub_level(unit: Unit) -> int:
    """The level whose units a digest of `unit` is split by (a micro-grid splits by itself)."""
    return min(int(unit.level) + 1, int(Level.MICRO_GRID))


_FIGURES = (
    "r.category, r.status, r.solved_on_spot, r.overdue, "
    "COUNT(*) AS total, SUM(r.created_at >= ? AND r.created_at < ?) AS in_period, "
    "SUM(r.collected_on IS 'visit') AS on_visits, "
    "SUM(r.collected_on IS 'visit' AND r.created_at >= ? AND r.created_at < ?) "
    "AS on_visits_in_period "
)


# A county's reports by the town each was filed in (its number's town), from
# reports_town_digest alone: each group of equal columns counted in the index's order (no
# join to the units, no sort), then the period's reports of each group as one range seek
# on its last column; groups told apart by `collected_on` are added up last.
_BY_TOWN = (
    "SELECT sub_id, category, status, solved_on_spot, overdue, SUM(n) AS total, "
    "SUM(in_period) AS in_period, SUM(CASE WHEN collected_on IS 'visit' THEN n END) "
    "AS on_visits, SUM(CASE WHEN collected_on IS 'visit' THEN in_period END) "
    "AS on_visits_in_period FROM ("
    "SELECT g.*, (SELECT COUNT(*) FROM reports p WHERE p.town_id = g.sub_id "
    " AND p.category = g.category AND p.status = g.status "
    " AND p.solved_on_spot = g.solved_on_spot AND p.overdue = g.overdue "
    " AND p.collected_on IS g.collected_on AND p.created_at >= ? AND p.created_at < ?) "
    "AS in_period FROM ("
    "SELECT r.town_id AS sub_id, r.category, r.status, r.solved_on_spot, r.overdue, "
    "r.collected_on, COUNT(*) AS n FROM reports r WHERE r.town_id IN "
    "(SELECT t.id FROM units t WHERE t.l0_id = ? AND t.level = 1) "
    "GROUP BY 1, 2, 3, 4, 5, 6) g) GROUP BY 1, 2, 3, 4, 5"
)


async def report_counts(db: Database, unit: Unit, start: int, end: int) -> list[ReportCount]:
    """Reports of the subtree grouped by sub-unit, category and status; one query."""
    level, sub = int(unit.level), sub_level(unit)
    if unit.level is Level.COUNTY:
        rows = await db.fetchall(_BY_TOWN, (start, end, unit.id))
    else:
        rows = await db.fetchall(
            f"SELECT u.l{sub}_id AS sub_id, {_FIGURES}"
            "FROM units u JOIN reports r ON r.micro_grid_id = u.id "
            f"WHERE u.l{level}_id = ? AND u.level = 4 GROUP BY 1, 2, 3, 4, 5",
            (start, end, start, end, unit.id),
        )
    return [
        ReportCount(
            sub_id=r["sub_id"],
            category=r["category"],
            status=Status(r["status"]),
            solved_on_spot=bool(r["solved_on_spot"]),
            overdue=bool(r["overdue"]),
            total=r["total"],
            in_period=r["in_period"] or 0,
            on_visits=r["on_visits"] or 0,
            on_visits_in_period=r["on_visits_in_period"] or 0,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Recipient:
    """A linked cadre or worker and one unit they hold at their own level."""

    staff_id: int
    staff_code: str
    name: str
    tg_user_id: int
    level: int
    unit_id: int


async def recipients(db: Database, levels: tuple[int, ...]) -> list[Recipient]:
    """Linked, active staff of these levels with each active unit they hold at that level."""
    marks = ",".join("?" * len(levels))
    rows = await db.fetchall(
        "SELECT s.id, s.code, s.name, s.tg_user_id, s.level, su.unit_id FROM staff s "
        "JOIN staff_units su ON su.staff_id = s.id JOIN units u ON u.id = su.unit_id "
        f"WHERE s.active = 1 AND s.tg_user_id IS NOT NULL AND s.level IN ({marks}) "
        "AND u.active = 1 AND u.level = s.level ORDER BY s.level, s.code, su.unit_id",
        levels,
    )
    return [
        Recipient(
            staff_id=r["id"],
            staff_code=r["code"],
            name=r["name"],
            tg_user_id=r["tg_user_id"],
            level=r["level"],
            unit_id=r["unit_id"],
        )
        for r in rows
    ]
