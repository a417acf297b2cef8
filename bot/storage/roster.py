"""Importing a validated roster: upsert by code, deactivate what is gone, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.clock import to_ts
from bot.storage.db import Database
from models.roster import (
    HouseholdRow,
    ImportSummary,
    KindCounts,
    Roster,
    StaffRow,
    UnitRow,
)

__all__ = ["ImportSummary", "apply_roster"]

_UNIT_FIELDS = (
    "name, level, parent_id, l0_id, l1_id, l2_id, l3_id, l4_id, center_lat, center_lon, radius_m,"
    " active, short"
)
_STAFF_FIELDS = "name, phone, level, active"
_HOUSEHOLD_FIELDS = "micro_grid_id, head_name, address, phone, members, tags, pension_month, active"


async def apply_roster(
    db: Database, roster: Roster, now: datetime, *, actor: str = "cli", source: str = ""
) -> ImportSummary:
    """Make the database match `roster` and log it; importing the same roster again is a no-op."""
    ts = to_ts(now)
    summary = ImportSummary()
    async with db.transaction():
        unit_ids = await _apply_units(db, roster.units, ts, summary.units)
        await _apply_staff(db, roster.staff, unit_ids, ts, summary.staff)
        await _apply_households(db, roster.households, unit_ids, ts, summary.households)
        await db.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail)"
            " VALUES (?, ?, 'roster.import', 'roster', ?, ?)",
            (ts, actor, source, summary.model_dump_json()),
        )
    return summary


def _marks(count: int) -> str:
    """`count` comma-separated SQL placeholders."""
    return ", ".join("?" * count)


async def _next_id(db: Database, table: str) -> int:
    """The id after the largest one in `table`."""
    return int(await db.scalar(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))


async def _deactivate(
    db: Database, table: str, ids: Sequence[int], ts: int, extra: str = ""
) -> None:
    """Mark rows inactive (never delete: reports and logs still point at them)."""
    sql = f"UPDATE {table} SET active = 0, updated_at = ?{extra} WHERE id = ?"
    params = [(ts, ts, row_id) if extra else (ts, row_id) for row_id in ids]
    await db.executemany(sql, params)


async def _apply_units(
    db: Database, units: Sequence[UnitRow], ts: int, counts: KindCounts
) -> dict[str, int]:
    """Upsert units parents first, computing ancestor ids; returns every roster code's id."""
    existing = {
        row["code"]: row for row in await db.fetchall(f"SELECT id, code, {_UNIT_FIELDS} FROM units")
    }
    # Ids are chosen here (inside the write transaction) so children can name new parents.
    next_id = await _next_id(db, "units")
    ids: dict[str, int] = {}
    ancestors: dict[str, list[int | None]] = {}
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for unit in sorted(units, key=lambda u: u.level):
        row = existing.get(unit.code)
        if row is None:
            unit_id, next_id = next_id, next_id + 1
        else:
            unit_id = row["id"]
        parent_id = ids[unit.parent_code] if unit.parent_code else None
        chain: list[int | None] = (
            list(ancestors[unit.parent_code]) if unit.parent_code else [None] * 5
        )
        chain[unit.level] = unit_id
        ids[unit.code], ancestors[unit.code] = unit_id, chain
        wanted = (
            unit.name,
            int(unit.level),
            parent_id,
            *chain,
            unit.lat,
            unit.lon,
            unit.radius_m,
            1,
            unit.short,
        )
        if row is None:
            inserts.append((unit_id, unit.code, *wanted, ts, ts))
            counts.created += 1
        elif tuple(row)[2:] != wanted:
            updates.append((*wanted, ts, unit_id))
            counts.updated += 1
        else:
            counts.unchanged += 1
    await db.executemany(
        f"INSERT INTO units (id, code, {_UNIT_FIELDS}, created_at, updated_at)"
        f" VALUES ({_marks(17)})",
        inserts,
    )
    await db.executemany(
        "UPDATE units SET name = ?, level = ?, parent_id = ?, l0_id = ?, l1_id = ?, l2_id = ?,"
        " l3_id = ?, l4_id = ?, center_lat = ?, center_lon = ?, radius_m = ?, active = ?,"
        " short = ?, updated_at = ? WHERE id = ?",
        updates,
    )
    gone = [row["id"] for code, row in existing.items() if code not in ids and row["active"]]
    await _deactivate(db, "units", gone, ts)
    counts.deactivated = len(gone)
    return ids


async def _apply_staff(
    db: Database, staff: Sequence[StaffRow], unit_ids: dict[str, int], ts: int, counts: KindCounts
) -> None:
    """Upsert staff and replace the units they hold; staff no longer listed hold none."""
    existing = {
        row["code"]: row
        for row in await db.fetchall(f"SELECT id, code, {_STAFF_FIELDS} FROM staff")
    }
    held: dict[int, set[int]] = {}
    for grant in await db.fetchall("SELECT staff_id, unit_id FROM staff_units"):
        held.setdefault(grant["staff_id"], set()).add(grant["unit_id"])
    next_id = await _next_id(db, "staff")
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    regrant: dict[int, set[int]] = {}
    listed: set[str] = set()
    for person in staff:
        listed.add(person.code)
        row = existing.get(person.code)
        wanted = (person.name, person.phone, int(person.level), 1)
        units = {unit_ids[code] for code in person.unit_codes}
        if row is None:
            staff_id, next_id = next_id, next_id + 1
            inserts.append((staff_id, person.code, *wanted, ts, ts))
            regrant[staff_id] = units
            counts.created += 1
            continue
        staff_id = row["id"]
        fields_changed = tuple(row)[2:] != wanted
        if fields_changed:
            updates.append((*wanted, ts, staff_id))
        if held.get(staff_id, set()) != units:
            regrant[staff_id] = units
        if fields_changed or staff_id in regrant:
            counts.updated += 1
        else:
            counts.unchanged += 1
    gone = [row["id"] for code, row in existing.items() if code not in listed and row["active"]]
    for staff_id in gone:
        regrant[staff_id] = set()
    await db.executemany(
        f"INSERT INTO staff (id, code, {_STAFF_FIELDS}, created_at, updated_at)"
        f" VALUES ({_marks(8)})",
        inserts,
    )
    await db.executemany(
        "UPDATE staff SET name = ?, phone = ?, level = ?, active = ?, updated_at = ? WHERE id = ?",
        updates,
    )
    await _deactivate(db, "staff", gone, ts)
    counts.deactivated = len(gone)
    await db.executemany("DELETE FROM staff_units WHERE staff_id = ?", [(i,) for i in regrant])
    await db.executemany(
        "INSERT INTO staff_units (staff_id, unit_id) VALUES (?, ?)",
        [(staff_id, unit) for staff_id, units in regrant.items() for unit in sorted(units)],
    )


async def _apply_households(
    db: Database,
    households: Sequence[HouseholdRow],
    unit_ids: dict[str, int],
    ts: int,
    counts: KindCounts,
) -> None:
    """Upsert households; a new or returning household counts for compliance from `ts`."""
    existing = {
        row["code"]: row
        for row in await db.fetchall(f"SELECT id, code, {_HOUSEHOLD_FIELDS} FROM households")
    }
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    listed: set[str] = set()
    for house in households:
        listed.add(house.code)
        wanted = (
            unit_ids[house.micro_grid_code],
            house.head_name,
            house.address,
            house.phone,
            house.members,
            " ".join(house.tags),
            house.pension_month,
            1,
        )
        row = existing.get(house.code)
        if row is None:
            inserts.append((house.code, *wanted, ts, ts, ts))
            counts.created += 1
        elif tuple(row)[2:] != wanted:
            updates.append((*wanted[:-1], ts, ts, row["id"]))
            counts.updated += 1
        else:
            counts.unchanged += 1
    await db.executemany(
        f"INSERT INTO households (code, {_HOUSEHOLD_FIELDS}, added_at, created_at, updated_at)"
        f" VALUES ({_marks(12)})",
        inserts,
    )
    # SET expressions read the old row, so `active` here is whether it was active before.
    await db.executemany(
        "UPDATE households SET micro_grid_id = ?, head_name = ?, address = ?, phone = ?,"
        " members = ?, tags = ?, pension_month = ?,"
        " added_at = CASE WHEN active = 1 THEN added_at ELSE ? END,"
        " active = 1, deactivated_at = NULL, updated_at = ? WHERE id = ?",
        updates,
    )
    gone = [row["id"] for code, row in existing.items() if code not in listed and row["active"]]
    await _deactivate(db, "households", gone, ts, extra=", deactivated_at = ?")
    counts.deactivated = len(gone)
