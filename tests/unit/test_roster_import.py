"""Importing rosters into SQLite: idempotent, updates by code, deactivates what is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import to_ts
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.units import Level
from services.roster import HouseholdRow, Roster, StaffRow, UnitRow

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=30)
T2 = T1 + timedelta(days=30)


def small_roster() -> Roster:
    """A town with one village, two grids and three micro-grids."""
    units = (
        UnitRow(code="T", name="大屯营镇", level=Level.TOWN),
        UnitRow(code="T-1", name="大屯营村", level=Level.VILLAGE, parent_code="T"),
        UnitRow(code="T-1-1", name="第1网格", level=Level.GRID, parent_code="T-1"),
        UnitRow(code="T-1-2", name="第2网格", level=Level.GRID, parent_code="T-1"),
        UnitRow(code="T-1-1-1", name="益家冲组", level=Level.MICRO_GRID, parent_code="T-1-1"),
        UnitRow(code="T-1-1-2", name="渣塘冲组", level=Level.MICRO_GRID, parent_code="T-1-1"),
        UnitRow(code="T-1-2-1", name="杨家湾组", level=Level.MICRO_GRID, parent_code="T-1-2"),
    )
    staff = (
        StaffRow(code="C1", name="刘建国", phone="13900000001", level=1, unit_codes=("T",)),
        StaffRow(code="W1", name="李明", phone="13900000002", level=3, unit_codes=("T-1-1",)),
        StaffRow(
            code="W2",
            name="张秀兰",
            phone="13900000003",
            level=4,
            unit_codes=("T-1-1-1", "T-1-1-2"),
        ),
        StaffRow(code="W3", name="王芳", phone="13900000004", level=4, unit_codes=("T-1-2-1",)),
    )
    households = tuple(
        HouseholdRow(code=f"H{n}", micro_grid_code=mg, head_name=f"户主{n}", members=2)
        for n, mg in enumerate(["T-1-1-1", "T-1-1-1", "T-1-1-2", "T-1-2-1"], start=1)
    )
    return Roster(units=units, staff=staff, households=households)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "grid.db")
    yield database
    await database.close()


async def table(db: Database, name: str) -> dict[str, dict[str, object]]:
    """Every row of a table keyed by code."""
    return {row["code"]: dict(row) for row in await db.fetchall(f"SELECT * FROM {name}")}


async def held_units(db: Database, staff_code: str) -> list[str]:
    """The unit codes a staff member holds."""
    rows = await db.fetchall(
        "SELECT u.code FROM staff_units su JOIN staff s ON s.id = su.staff_id"
        " JOIN units u ON u.id = su.unit_id WHERE s.code = ? ORDER BY u.code",
        (staff_code,),
    )
    return [row["code"] for row in rows]


async def test_reimport_is_idempotent(db: Database) -> None:
    roster = small_roster()
    first = await apply_roster(db, roster, T0)
    assert (first.units.created, first.staff.created, first.households.created) == (7, 4, 4)
    before = {name: await table(db, name) for name in ("units", "staff", "households")}
    again = await apply_roster(db, roster, T1)
    assert not again.changed
    assert (again.units.unchanged, again.staff.unchanged, again.households.unchanged) == (7, 4, 4)
    after = {name: await table(db, name) for name in ("units", "staff", "households")}
    assert after == before  # same ids, same timestamps, no duplicates
    assert await db.scalar("SELECT COUNT(*) FROM staff_units") == 5
    assert await db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'roster.import'") == 2


async def test_edited_reimport_updates_and_deactivates(db: Database) -> None:
    await apply_roster(db, small_roster(), T0)
    await db.execute("UPDATE staff SET tg_user_id = 555 WHERE code = 'W2'")
    roster = small_roster()
    edited = Roster(
        units=tuple(
            u.model_copy(update={"name": "益家冲新组"}) if u.code == "T-1-1-1" else u
            for u in roster.units
            if u.code != "T-1-1-2"
        ),
        staff=tuple(
            s.model_copy(update={"name": "张秀英", "unit_codes": ("T-1-1-1",)})
            if s.code == "W2"
            else s
            for s in roster.staff
            if s.code != "W1"
        ),
        households=tuple(
            h.model_copy(update={"head_name": "周桂英", "tags": ("pensioner",), "pension_month": 3})
            if h.code == "H1"
            else h
            for h in roster.households
            if h.code != "H3"
        ),
    )
    summary = await apply_roster(db, edited, T1, actor="staff:C1")
    assert summary.units.model_dump() == {
        "created": 0,
        "updated": 1,
        "deactivated": 1,
        "unchanged": 5,
    }
    assert (summary.staff.updated, summary.staff.deactivated, summary.staff.unchanged) == (1, 1, 2)
    assert (summary.households.updated, summary.households.deactivated) == (1, 1)
    units, staff, houses = [await table(db, n) for n in ("units", "staff", "households")]
    assert units["T-1-1-1"]["name"] == "益家冲新组" and units["T-1-1-2"]["active"] == 0
    assert staff["W2"]["name"] == "张秀英" and staff["W2"]["tg_user_id"] == 555
    assert staff["W1"]["active"] == 0 and await held_units(db, "W1") == []
    assert await held_units(db, "W2") == ["T-1-1-1"]
    assert houses["H1"]["head_name"] == "周桂英" and houses["H1"]["pension_month"] == 3
    assert houses["H1"]["tags"] == "pensioner" and houses["H1"]["added_at"] == to_ts(T0)
    assert houses["H3"]["active"] == 0 and houses["H3"]["deactivated_at"] == to_ts(T1)
    assert len(houses) == 4  # deactivated, never deleted
    audit = await db.fetchone("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert audit is not None and audit["actor"] == "staff:C1" and audit["at"] == to_ts(T1)

    # Putting them back reactivates the same rows; the household counts again from now.
    back = await apply_roster(db, small_roster(), T2)
    assert (back.units.updated, back.staff.updated, back.households.updated) == (2, 2, 2)
    units, staff, houses = [await table(db, n) for n in ("units", "staff", "households")]
    assert units["T-1-1-2"]["active"] == 1 and staff["W1"]["active"] == 1
    assert await held_units(db, "W2") == ["T-1-1-1", "T-1-1-2"]
    assert houses["H3"]["active"] == 1 and houses["H3"]["deactivated_at"] is None
    assert houses["H3"]["added_at"] == to_ts(T2) and houses["H1"]["added_at"] == to_ts(T0)


async def test_moving_a_micro_grid_recomputes_ancestors(db: Database) -> None:
    await apply_roster(db, small_roster(), T0)
    roster = small_roster()
    moved = roster.model_copy(
        update={
            "units": tuple(
                u.model_copy(update={"parent_code": "T-1-2"}) if u.code == "T-1-1-2" else u
                for u in roster.units
            )
        }
    )
    summary = await apply_roster(db, moved, T1)
    assert summary.units.updated == 1
    units = await table(db, "units")
    micro = units["T-1-1-2"]
    assert micro["parent_id"] == units["T-1-2"]["id"] and micro["l3_id"] == units["T-1-2"]["id"]
    assert micro["l4_id"] == micro["id"] and micro["l1_id"] == units["T"]["id"]


async def test_joins_the_callers_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await apply_roster(db, small_roster(), T0)
            raise RuntimeError("the caller's work failed")
    assert await db.scalar("SELECT COUNT(*) FROM units") == 0
    async with db.transaction():
        summary = await apply_roster(db, small_roster(), T0)
    assert summary.households.created == 4
    assert await db.scalar("SELECT COUNT(*) FROM households") == 4
