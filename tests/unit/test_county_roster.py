"""A roster with a county unit above its towns: reading, checking, importing; the sample
county; report numbers as typed."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from bot.storage import grid
from bot.storage.db import Database, migration_versions
from bot.storage.roster import apply_roster
from models.permissions import Action, Actor, Role, may
from models.reports import Number, parse_number
from models.units import Level
from services.roster import Roster, RosterErrors, read_roster
from services.sample_town import build_sample_county, build_sample_town
from tests.county_town import county_roster

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "grid.db")
    yield database
    await database.close()


def _write(folder: Path, units: list[list[str]]) -> Path:
    """A CSV roster with these unit rows (Chinese headers), one staff member per level."""
    folder.mkdir()
    with (folder / "units.csv").open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([["编码", "名称", "层级", "上级编码", "简称"], *units])
    with (folder / "staff.csv").open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([["工号", "姓名", "电话", "层级", "所属单元"]])
    with (folder / "households.csv").open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([["户号", "微网格编码", "户主"]])
    return folder


TOWN_ROWS = [
    ["A", "甲镇", "镇", "", ""],
    ["A-1", "甲村", "村", "A", ""],
]


def test_a_roster_without_a_county_reads_as_before(tmp_path: Path) -> None:
    roster = read_roster(_write(tmp_path / "r", TOWN_ROWS))
    assert isinstance(roster, Roster), roster
    town = roster.units[0]
    assert town.level is Level.TOWN and town.parent_code is None and town.short == "A"


def test_a_county_with_towns_reads_with_prefixes(tmp_path: Path) -> None:
    rows = [
        ["K", "云溪县", "县", "", ""],
        ["dty-1", "大屯营镇", "1", "K", ""],
        ["HS", "黄沙坪镇", "镇", "K", "hsp"],
        ["HS-1", "黄沙村", "2", "HS", ""],
    ]
    roster = read_roster(_write(tmp_path / "r", rows))
    assert isinstance(roster, Roster), roster
    by_code = {u.code: u for u in roster.units}
    assert by_code["K"].level is Level.COUNTY and by_code["K"].short == ""
    assert by_code["dty-1"].short == "DTY1"  # derived from the code
    assert by_code["HS"].short == "HSP" and by_code["HS"].parent_code == "K"


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        (
            [["K", "县", "0", "", ""], ["K2", "县二", "0", "", ""], ["A", "甲镇", "1", "K", ""]],
            3,
            'a second county (level 0): "K"',
        ),
        ([["K", "县", "0", "", ""], ["A", "甲镇", "1", "", ""]], 3, 'county ("K")'),
        ([["K", "县", "0", "A", ""], ["A", "甲镇", "1", "K", ""]], 2, "the county (level 0) has"),
        (
            [["A", "甲镇", "1", "", ""], ["B", "乙镇", "1", "A", ""]],
            3,
            "level-1 unit has no parent",
        ),
        (
            [["A", "甲镇", "1", "", "X"], ["B", "乙镇", "1", "", "x"]],
            3,
            'short "X" is the prefix of town "A"',
        ),
        ([["A", "甲镇", "1", "", "甲"]], 2, "1-8 Latin letters"),
        ([["A", "甲镇", "1", "", ""], ["A-1", "甲村", "2", "A", "V"]], 3, "towns (level 1) only"),
    ],
)
def test_county_rows_are_checked(
    tmp_path: Path, rows: list[list[str]], line: int, reason: str
) -> None:
    errors = read_roster(_write(tmp_path / "r", rows))
    assert isinstance(errors, RosterErrors)
    assert any(e.sheet == "units" and e.line == line and reason in e.reason for e in errors), errors


async def test_import_with_a_county_sets_the_level_0_ancestor(db: Database) -> None:
    await apply_roster(db, county_roster(), NOW)
    county = await grid.county(db)
    assert county is not None and county.code == "K" and county.level is Level.COUNTY
    m5 = await grid.unit_by_code(db, "M5")
    t2 = await grid.unit_by_code(db, "T2")
    assert m5 is not None and t2 is not None
    assert m5.ancestor(Level.COUNTY) == county.id and m5.town_id == t2.id
    assert t2.short == "HSP" and (await grid.town_by_short(db, "hsp")) == t2
    towns = await grid.subtree(db, county, Level.TOWN)
    assert [u.code for u in towns] == ["T", "T2"]
    # The county cadre covers both towns; a town cadre only their own.
    chief = await grid.staff_by_code(db, "K0")
    cadre = await grid.staff_by_code(db, "C1")
    assert chief is not None and cadre is not None and chief.level is Level.COUNTY
    as_chief = Actor(tg_user_id=1, staff=chief, units=(county,))
    t1 = await grid.unit_by_code(db, "T")
    assert t1 is not None
    as_cadre = Actor(tg_user_id=2, staff=cadre, units=(t1,))
    assert as_chief.role is Role.L0 and may(as_chief, Action.EXPORT, m5)
    assert may(as_chief, Action.INVITE, m5) and not may(as_cadre, Action.INVITE, m5)


async def test_import_without_a_county_leaves_level_0_empty(db: Database) -> None:
    await apply_roster(db, build_sample_town(), NOW)
    assert await grid.county(db) is None
    assert await db.scalar("SELECT COUNT(*) FROM units WHERE l0_id IS NOT NULL") == 0
    assert await db.scalar("SELECT short FROM units WHERE level = 1") == "DTY"


def test_the_sample_county_is_the_sample_town_times_n() -> None:
    town = build_sample_town()
    county = build_sample_county(3)
    again = build_sample_county(3)
    assert county == again  # deterministic
    levels = Counter(u.level for u in county.units)
    assert levels == {
        Level.COUNTY: 1,
        Level.TOWN: 3,
        Level.VILLAGE: 21,
        Level.GRID: 243,
        Level.MICRO_GRID: 3252,
    }
    # Town 1 is today's Datunying: the same units (under the county), staff and households.
    first = {u.code: u for u in county.units}
    for unit in town.units:
        expected = (
            unit.model_copy(update={"parent_code": "YXX"}) if unit.level is Level.TOWN else unit
        )
        assert first[unit.code] == expected
    assert set(town.staff) <= set(county.staff)
    assert set(town.households) <= set(county.households)
    shorts = [u.short for u in county.units if u.level is Level.TOWN]
    assert shorts == ["DTY", "HSP", "QSP"]
    phones = [s.phone for s in county.staff] + [
        h.phone for h in county.households if h.phone.startswith("1")
    ]
    assert len(phones) == len(set(phones))
    assert len({s.code for s in county.staff}) == len(county.staff)
    assert [s.code for s in county.staff if s.level is Level.COUNTY] == [
        "S0-001",
        "S0-002",
        "S0-003",
    ]


def test_one_town_with_or_without_the_county_unit() -> None:
    assert build_sample_county(1) == build_sample_town()
    alone = build_sample_county(1, county=True)
    assert [u.level for u in alone.units[:2]] == [Level.COUNTY, Level.TOWN]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("178", Number(178)),
        ("#178", Number(178)),
        ("DTY-178", Number(178, "DTY")),
        ("dty-7", Number(7, "DTY")),
        ("HSP1-2", Number(2, "HSP1")),
        ("abc", None),
        ("DTY178", None),
        ("-5", None),
        ("１２", None),  # full-width digits are not a number here
        ("1" * 19, None),
    ],
)
def test_report_numbers_as_typed(typed: str, number: Number | None) -> None:
    assert parse_number(typed) == number
    if number is not None:
        assert str(number) == (
            f"{number.prefix}-{number.seq}" if number.prefix else f"#{number.seq}"
        )


async def test_a_single_town_database_keeps_its_numbers_through_the_migration(
    tmp_path: Path,
) -> None:
    """Reports filed before the county level keep their numbers (seq = id) and get their
    town; every reference to the rebuilt units and staff tables stays whole."""
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("PRAGMA foreign_keys=ON")
    old.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    package = resources.files("bot.storage.migrations")
    for version, name in migration_versions():
        if version < 22:
            sql = package.joinpath(name).read_text(encoding="utf-8")
            old.executescript(
                f"BEGIN;\n{sql}\nINSERT INTO schema_migrations VALUES ({version}, '{name}', "
                "datetime('now'));\nCOMMIT;"
            )
    old.executescript(
        """BEGIN;
        INSERT INTO units (id, code, name, level, parent_id, l1_id, l2_id, l3_id, l4_id,
                           created_at, updated_at) VALUES
            (1, 'T', '镇', 1, NULL, 1, NULL, NULL, NULL, 0, 0),
            (2, 'V', '村', 2, 1, 1, 2, NULL, NULL, 0, 0),
            (3, 'G', '网格', 3, 2, 1, 2, 3, NULL, 0, 0),
            (4, 'M', '组', 4, 3, 1, 2, 3, 4, 0, 0);
        INSERT INTO staff (id, code, name, phone, level, created_at, updated_at)
            VALUES (7, 'W', '李明', '13900000002', 4, 0, 0);
        INSERT INTO staff_units VALUES (7, 4);
        INSERT INTO groups (chat_id, micro_grid_id, bound_by, added_at, updated_at)
            VALUES (-100, 4, 7, 0, 0);
        INSERT INTO reports (id, micro_grid_id, category, description, reporter_tg_id,
            reporter_name, source_chat_id, source_message_id, status, level, unit_id,
            owner_staff_id, created_at, updated_at) VALUES
            (1, 4, 'c', 'a', 9, 'r', -100, 1, 'new', 4, 4, 7, 0, 0),
            (2, 4, 'c', 'b', 9, 'r', -100, 2, 'new', 4, 4, NULL, 0, 0),
            (5, 4, 'c', 'e', 9, 'r', -100, 5, 'new', 4, 4, NULL, 0, 0);
        COMMIT;"""
    )
    old.close()
    db = await Database.open(path)
    try:
        rows = await db.fetchall("SELECT id, town_id, town_seq, top_level FROM reports ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, 1, 1, 1), (2, 1, 2, 1), (5, 1, 5, 1)]
        assert await db.fetchall("PRAGMA foreign_key_check") == []
        town = await grid.unit_by_code(db, "T")
        assert (
            town is not None and town.short == "" and town.ancestors == (None, 1, None, None, None)
        )
        worker = await grid.staff_by_code(db, "W")
        assert worker is not None and worker.unit_ids == (4,)
        # Still enforced on the rebuilt tables.
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute("DELETE FROM units WHERE id = 4")
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(
                "INSERT INTO units (code, name, level, created_at, updated_at)"
                " VALUES ('X', 'x', 5, 0, 0)"
            )
    finally:
        await db.close()


def test_sample_roster_command_writes_a_county(tmp_path: Path) -> None:
    from bot.__main__ import main

    assert main(["sample-roster", str(tmp_path / "county"), "--towns", "2"]) == 0
    roster = read_roster(tmp_path / "county")
    assert isinstance(roster, Roster), roster
    towns = [u for u in roster.units if u.level is Level.TOWN]
    assert [(u.code, u.short, u.parent_code) for u in towns] == [
        ("DTY", "DTY", "YXX"),
        ("HSP", "HSP", "YXX"),
    ]
    assert main(["sample-roster", str(tmp_path / "none"), "--towns", "0"]) == 2


async def test_the_preflight_counts_unlinked_county_cadres(db: Database) -> None:
    from bot.storage.doctor import coverage

    await apply_roster(db, county_roster(), NOW)
    conn = sqlite3.connect(db.path)
    try:
        found = {c.code: c for c in coverage(conn)}
    finally:
        conn.close()
    assert found["K"].unlinked_staff == 1  # the county cadre
    assert found["T2"].unlinked_staff == 1 and found["V5"].unbound_micro_grids == 1
