"""Units and staff: the grid tree and who holds which unit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from bot.storage.db import Database
from models.units import Level, Staff, Unit

_UNIT_COLS = (
    "id, code, name, level, parent_id, l0_id, l1_id, l2_id, l3_id, l4_id, active, "
    "center_lat, center_lon, radius_m, short"
)


def unit_from_row(row: sqlite3.Row) -> Unit:
    """A Unit from a row selected with the unit columns."""
    return Unit(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        level=Level(row["level"]),
        parent_id=row["parent_id"],
        ancestors=(row["l0_id"], row["l1_id"], row["l2_id"], row["l3_id"], row["l4_id"]),
        active=bool(row["active"]),
        center_lat=row["center_lat"],
        center_lon=row["center_lon"],
        radius_m=row["radius_m"],
        short=row["short"],
    )


async def unit_by_code(db: Database, code: str) -> Unit | None:
    """The unit with this roster code."""
    row = await db.fetchone(f"SELECT {_UNIT_COLS} FROM units WHERE code = ?", (code,))
    return unit_from_row(row) if row else None


async def unit_by_id(db: Database, unit_id: int) -> Unit | None:
    """The unit with this id."""
    row = await db.fetchone(f"SELECT {_UNIT_COLS} FROM units WHERE id = ?", (unit_id,))
    return unit_from_row(row) if row else None


async def units_by_ids(db: Database, ids: Iterable[int]) -> dict[int, Unit]:
    """Units by id, for the given ids."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(f"SELECT {_UNIT_COLS} FROM units WHERE id IN ({marks})", ids)
    return {row["id"]: unit_from_row(row) for row in rows}


async def towns(db: Database) -> list[Unit]:
    """The active towns (level-1 units), by code."""
    rows = await db.fetchall(
        f"SELECT {_UNIT_COLS} FROM units WHERE level = 1 AND active = 1 ORDER BY code"
    )
    return [unit_from_row(row) for row in rows]


async def lineage(db: Database, unit: Unit) -> list[Unit]:
    """The unit and its ancestors, from the top (the county, or the town) down."""
    found = await units_by_ids(db, [i for i in unit.ancestors if i is not None])
    return [found[i] for i in unit.ancestors if i is not None and i in found]


async def children(db: Database, unit_id: int, active_only: bool = True) -> list[Unit]:
    """The units directly below `unit_id`, by code."""
    sql = f"SELECT {_UNIT_COLS} FROM units WHERE parent_id = ?"
    if active_only:
        sql += " AND active = 1"
    rows = await db.fetchall(sql + " ORDER BY code", (unit_id,))
    return [unit_from_row(row) for row in rows]


async def subtree(db: Database, unit: Unit, level: Level | None = None) -> list[Unit]:
    """Active units in `unit`'s subtree (itself included), optionally of one level."""
    sql = f"SELECT {_UNIT_COLS} FROM units WHERE l{int(unit.level)}_id = ? AND active = 1"
    params: list[object] = [unit.id]
    if level is not None:
        sql += " AND level = ?"
        params.append(int(level))
    rows = await db.fetchall(sql + " ORDER BY code", params)
    return [unit_from_row(row) for row in rows]


def _staff_from_row(row: sqlite3.Row, unit_ids: tuple[int, ...]) -> Staff:
    return Staff(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        phone=row["phone"],
        level=Level(row["level"]),
        tg_user_id=row["tg_user_id"],
        active=bool(row["active"]),
        unit_ids=unit_ids,
    )


async def _with_units(db: Database, rows: list[sqlite3.Row]) -> list[Staff]:
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    marks = ",".join("?" * len(ids))
    links = await db.fetchall(
        f"SELECT staff_id, unit_id FROM staff_units WHERE staff_id IN ({marks}) ORDER BY unit_id",
        ids,
    )
    held: dict[int, list[int]] = {}
    for link in links:
        held.setdefault(link["staff_id"], []).append(link["unit_id"])
    return [_staff_from_row(row, tuple(held.get(row["id"], ()))) for row in rows]


_STAFF_COLS = "s.id, s.code, s.name, s.phone, s.level, s.tg_user_id, s.active"


async def staff_by_tg(db: Database, tg_user_id: int) -> Staff | None:
    """The active staff member linked to this Telegram account."""
    rows = await db.fetchall(
        f"SELECT {_STAFF_COLS} FROM staff s WHERE s.tg_user_id = ? AND s.active = 1",
        (tg_user_id,),
    )
    found = await _with_units(db, rows)
    return found[0] if found else None


async def staff_by_code(db: Database, code: str) -> Staff | None:
    """The staff member with this roster code (active or not)."""
    rows = await db.fetchall(f"SELECT {_STAFF_COLS} FROM staff s WHERE s.code = ?", (code,))
    found = await _with_units(db, rows)
    return found[0] if found else None


async def staff_by_id(db: Database, staff_id: int) -> Staff | None:
    """The staff member with this id."""
    rows = await db.fetchall(f"SELECT {_STAFF_COLS} FROM staff s WHERE s.id = ?", (staff_id,))
    found = await _with_units(db, rows)
    return found[0] if found else None


async def staff_of_unit(db: Database, unit_id: int) -> list[Staff]:
    """Active staff holding this unit, by code."""
    rows = await db.fetchall(
        f"SELECT {_STAFF_COLS} FROM staff s JOIN staff_units su ON su.staff_id = s.id "
        "WHERE su.unit_id = ? AND s.active = 1 ORDER BY s.code",
        (unit_id,),
    )
    return await _with_units(db, rows)


async def link_staff(db: Database, staff_id: int, tg_user_id: int, at: int) -> None:
    """Bind a Telegram account to a staff record (unbinding it from any other record)."""
    await db.execute(
        "UPDATE staff SET tg_user_id = NULL, updated_at = ? WHERE tg_user_id = ? AND id != ?",
        (at, tg_user_id, staff_id),
    )
    await db.execute(
        "UPDATE staff SET tg_user_id = ?, linked_at = ?, updated_at = ? WHERE id = ?",
        (tg_user_id, at, at, staff_id),
    )


async def county(db: Database) -> Unit | None:
    """The county above the towns, when the roster has one."""
    row = await db.fetchone(
        f"SELECT {_UNIT_COLS} FROM units WHERE level = 0 AND active = 1 ORDER BY id LIMIT 1"
    )
    return unit_from_row(row) if row else None


async def town_by_short(db: Database, short: str) -> Unit | None:
    """The active town with this report-number prefix (case-insensitive)."""
    row = await db.fetchone(
        f"SELECT {_UNIT_COLS} FROM units WHERE short = ? COLLATE NOCASE AND short != ''"
        " AND level = 1 AND active = 1",
        (short,),
    )
    return unit_from_row(row) if row else None
