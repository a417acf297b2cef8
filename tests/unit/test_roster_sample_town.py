"""The sample town: its shape, determinism, and a full write → read → import round trip."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.units import Level
from services.roster import Roster, RosterErrors, read_roster
from services.sample_town import build_sample_town, write_roster, write_template

NOW = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def town() -> Roster:
    return build_sample_town()


def test_unit_counts(town: Roster) -> None:
    levels = Counter(u.level for u in town.units)
    assert levels == {Level.TOWN: 1, Level.VILLAGE: 7, Level.GRID: 81, Level.MICRO_GRID: 1084}
    assert len({u.code for u in town.units}) == len(town.units)
    town_unit = next(u for u in town.units if u.level == Level.TOWN)
    assert town_unit.name == "大屯营镇"


def test_staff_counts(town: Roster) -> None:
    levels = Counter(s.level for s in town.staff)
    assert levels[Level.GRID] == 98 and levels[Level.MICRO_GRID] == 1084
    assert levels[Level.VILLAGE] >= 7 and levels[Level.TOWN] >= 1
    workers = Counter(
        code for s in town.staff if s.level == Level.MICRO_GRID for code in s.unit_codes
    )
    assert len(workers) == 1084 and set(workers.values()) == {1}
    grids = Counter(code for s in town.staff if s.level == Level.GRID for code in s.unit_codes)
    assert len(grids) == 81 and set(grids.values()) == {1, 2}
    assert len({s.phone for s in town.staff}) == len(town.staff)
    assert all(re.fullmatch(r"1[3-9]\d{9}", s.phone) for s in town.staff)


def test_households_per_micro_grid(town: Roster) -> None:
    per_group = Counter(h.micro_grid_code for h in town.households)
    assert len(per_group) == 1084
    assert min(per_group.values()) >= 10 and max(per_group.values()) <= 15
    assert 12_000 <= len(town.households) <= 14_500
    tags = Counter(tag for h in town.households for tag in h.tags)
    assert tags["elderly_alone"] > 0 and tags["pensioner"] > 0
    pensioners = [h for h in town.households if "pensioner" in h.tags]
    assert all(h.pension_month is not None and 1 <= h.pension_month <= 12 for h in pensioners)


def test_named_places_and_hierarchical_codes(town: Roster) -> None:
    names = {u.name for u in town.units}
    assert {"大屯营村", "三仙坳村", "益家冲组", "渣塘冲组"} <= names
    by_code = {u.code: u for u in town.units}
    for unit in town.units:
        if unit.parent_code is not None:
            assert unit.code.startswith(unit.parent_code + "-")
            assert by_code[unit.parent_code].level == unit.level - 1
        assert unit.lat is not None and abs(unit.lat - 28.2) < 0.2
        assert unit.lon is not None and abs(unit.lon - 112.5) < 0.2
        assert unit.radius_m is not None and unit.radius_m > 0
    assert re.fullmatch(r"DTY-\d{2}-\d{2}-\d{3}", town.households[0].micro_grid_code)


def test_deterministic(town: Roster) -> None:
    assert build_sample_town() == town


async def test_round_trip_xlsx_and_csv(town: Roster, tmp_path: Path) -> None:
    started = time.perf_counter()
    workbook = write_roster(town, tmp_path / "town.xlsx")
    folder = write_roster(town, tmp_path / "town-csv")
    assert sorted(p.name for p in folder.iterdir()) == ["households.csv", "staff.csv", "units.csv"]
    from_xlsx, from_csv = read_roster(workbook), read_roster(folder)
    assert from_xlsx == town and from_csv == town
    db = await Database.open(tmp_path / "grid.db")
    try:
        summary = await apply_roster(db, from_xlsx, NOW)
        assert summary.households.created == len(town.households)
        assert await db.scalar("SELECT COUNT(*) FROM units WHERE level = 4") == 1084
        again = await apply_roster(db, from_csv, NOW)
        assert not again.changed and again.households.unchanged == len(town.households)
        assert await db.scalar("SELECT COUNT(*) FROM households") == len(town.households)
    finally:
        await db.close()
    assert time.perf_counter() - started < 10


def test_template_reads_back(tmp_path: Path) -> None:
    # One example row per sheet shows the format; only the micro-grid's parent is absent.
    result = read_roster(write_template(tmp_path / "template.xlsx"))
    assert isinstance(result, RosterErrors)
    assert [str(e) for e in result] == ['units line 2: parent_code "DTY-01-01" is not a unit code']
