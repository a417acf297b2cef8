"""Contacts, visits and check-ins as logged, and who works where (for compliance)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from bot.clock import from_ts
from bot.storage.db import Database
from models.compliance import StaffUnit
from models.compliance_county import WorkerLink
from models.contacts import LogKind, Outcome
from models.units import Level, Unit


class LogEntry(BaseModel):
    """One logged contact or visit, with who and whom (for lists and exports)."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: LogKind
    outcome: Outcome
    household_id: int
    household_code: str
    head_name: str
    micro_grid_id: int
    staff_id: int
    staff_name: str
    happened_on: str
    happened_at: int
    note: str
    lat: float | None
    lon: float | None
    logged_at: int


async def add_entry(
    db: Database,
    *,
    household_id: int,
    staff_id: int,
    kind: LogKind,
    outcome: Outcome,
    counts: tuple[bool, bool],
    happened_on: str,
    happened_at: int,
    note: str,
    lat: float | None,
    lon: float | None,
    at: int,
) -> int:
    """Store a contact or visit; returns its id."""
    return await db.execute(
        "INSERT INTO contacts (household_id, staff_id, kind, outcome, counts_contact, "
        "counts_visit, happened_on, happened_at, note, lat, lon, logged_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            household_id,
            staff_id,
            kind.value,
            outcome.value,
            int(counts[0]),
            int(counts[1]),
            happened_on,
            happened_at,
            note,
            lat,
            lon,
            at,
        ),
    )


async def add_checkin(
    db: Database,
    staff_id: int,
    unit_id: int | None,
    lat: float,
    lon: float,
    distance: float | None,
    flagged: bool,
    at: int,
) -> int:
    """Store a check-in; returns its id."""
    return await db.execute(
        "INSERT INTO checkins (staff_id, unit_id, lat, lon, distance_m, flagged, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (staff_id, unit_id, lat, lon, distance, int(flagged), at),
    )


def _within(units: Sequence[Unit] | None) -> tuple[str, list[object]]:
    if units is None:
        return "1", []
    if not units:
        return "0", []
    return (
        "(" + " OR ".join(f"u.l{int(u.level)}_id = ?" for u in units) + ")",
        [u.id for u in units],
    )


async def staff_units(
    db: Database, units: Sequence[Unit] | None, level: Level, week_start: int, at: int
) -> list[StaffUnit]:
    """Active staff of `level` holding units of that level in the subtrees (everywhere when
    None), one row per held unit, with their latest unflagged check-in up to `at` and how many
    flagged ones they made since `week_start`."""
    where, params = _within(units)
    rows = await db.fetchall(
        "SELECT s.id, s.code, s.name, s.level, s.tg_user_id, s.phone, p.language, su.unit_id, "
        "(SELECT MAX(c.at) FROM checkins c WHERE c.staff_id = s.id AND c.flagged = 0 "
        " AND c.at <= ?) AS last_checkin, "
        "(SELECT COUNT(*) FROM checkins c WHERE c.staff_id = s.id AND c.flagged = 1 "
        " AND c.at >= ? AND c.at <= ?) AS flagged "
        "FROM staff s JOIN staff_units su ON su.staff_id = s.id "
        "JOIN units u ON u.id = su.unit_id LEFT JOIN people p ON p.tg_user_id = s.tg_user_id "
        # "+s.level": keeps SQLite from looping over staff_level per unit (quadratic on a
        # county); the plan then goes units → staff_units → staff by key.
        f"WHERE s.active = 1 AND +s.level = ? AND u.level = ? AND u.active = 1 AND {where} "
        "ORDER BY s.code, su.unit_id",
        [at, week_start, at, int(level), int(level), *params],
    )
    return [
        StaffUnit(
            staff_id=r["id"],
            code=r["code"],
            name=r["name"],
            level=Level(r["level"]),
            unit_id=r["unit_id"],
            tg_user_id=r["tg_user_id"],
            phone=r["phone"],
            language=r["language"],
            last_checkin=from_ts(r["last_checkin"]) if r["last_checkin"] else None,
            flagged_checkins=r["flagged"],
        )
        for r in rows
    ]


async def worker_links(db: Database, unit: Unit) -> list[WorkerLink]:
    """Active L4 workers and each active micro-grid they hold in the subtree, with its town
    (plain rows, none of `staff_units`' check-in figures: a county ranks ~32 000 workers)."""
    rows = await db.fetchall(
        "SELECT s.id, s.code, s.name, su.unit_id, u.l1_id FROM units u "
        "JOIN staff_units su ON su.unit_id = u.id JOIN staff s ON s.id = su.staff_id "
        f"WHERE u.l{int(unit.level)}_id = ? AND u.level = 4 AND u.active = 1 "
        "AND s.active = 1 AND +s.level = 4",
        (unit.id,),
    )
    return [WorkerLink(*row) for row in rows]


async def latest_for_household(db: Database, household_id: int) -> tuple[int | None, int | None]:
    """(latest counted contact, latest counted visit) of a household, as unix seconds."""
    row = await db.fetchone(
        "SELECT (SELECT MAX(happened_at) FROM contacts WHERE household_id = ? "
        " AND counts_contact = 1), (SELECT MAX(happened_at) FROM contacts "
        " WHERE household_id = ? AND counts_visit = 1)",
        (household_id, household_id),
    )
    assert row is not None
    return row[0], row[1]


async def entries(
    db: Database, units: Sequence[Unit] | None, since: int, until: int, kind: LogKind | None = None
) -> list[LogEntry]:
    """Contacts and visits that happened in [since, until) in the subtrees, oldest first."""
    where, params = _within(units)
    if kind is not None:
        where += " AND c.kind = ?"
        params.append(kind.value)
    rows = await db.fetchall(
        "SELECT c.id, c.kind, c.outcome, c.household_id, h.code AS household_code, "
        "h.head_name, h.micro_grid_id, c.staff_id, s.name AS staff_name, c.happened_on, "
        "c.happened_at, c.note, c.lat, c.lon, c.logged_at "
        "FROM contacts c JOIN households h ON h.id = c.household_id "
        "JOIN units u ON u.id = h.micro_grid_id JOIN staff s ON s.id = c.staff_id "
        f"WHERE c.happened_at >= ? AND c.happened_at < ? AND {where} "
        "ORDER BY c.happened_at, c.id",
        [since, until, *params],
    )
    return [LogEntry(**dict(r)) for r in rows]


async def checkins(
    db: Database, units: Sequence[Unit] | None, since: int, until: int
) -> list[dict[str, object]]:
    """Check-ins made in [since, until) by staff holding units in the subtrees, oldest first."""
    where, params = _within(units)
    rows = await db.fetchall(
        "SELECT c.id, c.staff_id, s.code AS staff_code, s.name AS staff_name, c.unit_id, "
        "c.lat, c.lon, c.distance_m, c.flagged, c.at FROM checkins c "
        "JOIN staff s ON s.id = c.staff_id WHERE c.at >= ? AND c.at < ? AND EXISTS ("
        " SELECT 1 FROM staff_units su JOIN units u ON u.id = su.unit_id "
        f" WHERE su.staff_id = c.staff_id AND {where}) ORDER BY c.at, c.id",
        [since, until, *params],
    )
    return [dict(r) for r in rows]


async def met_since(db: Database, household_id: int, staff_id: int, kind: str, since: int) -> bool:
    """Whether this staff member logged a `kind` with the household met (a contact that
    counts) since `since`."""
    found = await db.scalar(
        "SELECT 1 FROM contacts WHERE household_id = ? AND staff_id = ? AND kind = ? "
        "AND counts_contact = 1 AND logged_at >= ? LIMIT 1",
        (household_id, staff_id, kind, since),
    )
    return found is not None
