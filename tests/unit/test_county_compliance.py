"""A county's digest figures, read set-based, equal the towns' own added up: compliance from
county-wide counts (only the workers the digest shows are built) against each town's full
compliance reduced by `town_summary`, and report figures by town against each town's."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import to_ts
from bot.storage import contacts as contact_store
from bot.storage import digest as digest_store
from bot.storage import grid, supervision
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.compliance import merge_towns
from models.contacts import LogKind, Outcome, fulfils
from models.digest import report_figures
from models.roster import HouseholdRow, Roster, StaffRow, UnitRow
from models.units import Level, Unit
from services import compliance
from tests.builders import put_report
from tests.county_summary import town_summary

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 6, 20, 12, 0, tzinfo=TZ)
# Micro-grids per town: the first has more workers than a county keeps of a town (2 × 10).
SIZES = (25, 3, 12)
# Micro-grids with no household: their worker has nothing to do (no rate) and ranks first.
EMPTY = {"T0M5", "T2M0"}


def _roster() -> Roster:
    units = [UnitRow(code="K", name="云溪县", level=Level.COUNTY)]
    staff: list[StaffRow] = []
    homes: list[HouseholdRow] = []
    for t, size in enumerate(SIZES):
        units += [
            UnitRow(code=f"T{t}", name=f"第{t}镇", level=Level.TOWN, parent_code="K"),
            UnitRow(code=f"T{t}V", name=f"第{t}镇一村", level=Level.VILLAGE, parent_code=f"T{t}"),
        ]
        for g in range(2):
            grid_code = f"T{t}G{g}"
            units.append(
                UnitRow(code=grid_code, name=f"{t}镇{g}格", level=Level.GRID, parent_code=f"T{t}V")
            )
            staff.append(
                StaffRow(
                    code=f"G{t}-{g}",
                    name=f"网格长{t}-{g}",
                    phone=f"1380000{t}{g:03d}",
                    level=Level.GRID,
                    unit_codes=(grid_code,),
                )
            )
        for m in range(size):
            code = f"T{t}M{m}"
            units.append(
                UnitRow(
                    code=code,
                    name=f"{t}镇{m}组",
                    level=Level.MICRO_GRID,
                    parent_code=f"T{t}G{m % 2}",
                )
            )
            held = [code]
            if (t, m) == (0, 0):
                held.append("T1M0")  # a worker in two towns, sharing a micro-grid
            if (t, m) == (0, 1):
                held.append("T0M2")  # two micro-grids of one town
            staff.append(
                StaffRow(
                    code=f"W{t}-{m:02d}",
                    name=f"网格员{t}-{m}",
                    phone=f"139{t:04d}{m:04d}",
                    level=Level.MICRO_GRID,
                    unit_codes=tuple(held),
                )
            )
            if code not in EMPTY:
                homes += [
                    HouseholdRow(code=f"H{t}-{m}-{k}", micro_grid_code=code, head_name=f"户主{k}")
                    for k in range(1 + (t + m) % 4)
                ]
    # A grid worker of two towns: checked in (or not) in each.
    staff.append(
        StaffRow(
            code="GX",
            name="两镇网格长",
            phone="13700000001",
            level=Level.GRID,
            unit_codes=("T0G1", "T1G1"),
        )
    )
    return Roster(units=tuple(units), staff=tuple(staff), households=tuple(homes))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "county.sqlite3")
    await apply_roster(database, _roster(), datetime(2026, 3, 15, 9, 0, tzinfo=TZ))
    yield database
    await database.close()


async def _log(db: Database, rng: random.Random) -> None:
    """Contacts and visits over the spring (some this month, some this quarter, some before
    either), a household added mid-month, one deactivated, one inactive micro-grid, and
    check-ins of the week (one flagged)."""
    homes = await db.fetchall(
        "SELECT h.id, su.staff_id FROM households h "
        "JOIN staff_units su ON su.unit_id = h.micro_grid_id ORDER BY h.id"
    )
    async with db.transaction():
        for home in homes:
            for _ in range(rng.randrange(3)):
                kind = rng.choice(list(LogKind))
                outcome = rng.choice(
                    [Outcome.PHONE, Outcome.IN_PERSON]
                    if kind is LogKind.CONTACT
                    else [Outcome.MET, Outcome.NOT_HOME]
                )
                when = AT.replace(month=rng.choice((3, 4, 5, 6, 6)), day=rng.randrange(1, 21))
                await contact_store.add_entry(
                    db,
                    household_id=home["id"],
                    staff_id=home["staff_id"],
                    kind=kind,
                    outcome=outcome,
                    counts=fulfils(kind, outcome),
                    happened_on=when.date().isoformat(),
                    happened_at=to_ts(when),
                    note="",
                    lat=None,
                    lon=None,
                    at=to_ts(when),
                )
        await db.execute(
            "UPDATE households SET added_at = ? WHERE code = 'H0-3-0'",
            (to_ts(AT.replace(day=10)),),
        )
        await db.execute(
            "UPDATE households SET active = 0, deactivated_at = ? WHERE code = 'H0-4-0'",
            (to_ts(AT.replace(day=19)),),
        )
        await db.execute("UPDATE units SET active = 0 WHERE code = 'T2M3'")
        for code, day, flagged in (("G0-0", 16, False), ("GX", 17, False), ("G1-1", 18, True)):
            staff_id = await db.scalar("SELECT id FROM staff WHERE code = ?", (code,))
            await contact_store.add_checkin(
                db, staff_id, None, 28.2, 112.5, None, flagged, to_ts(AT.replace(day=day))
            )


async def _county(db: Database) -> tuple[Unit, list[Unit]]:
    county = await grid.unit_by_code(db, "K")
    assert county is not None
    return county, await grid.children(db, county.id)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_county_compliance_equals_the_towns_summaries_added_up(
    db: Database, seed: int
) -> None:
    await _log(db, random.Random(seed))
    county, towns = await _county(db)
    found = await compliance.compliance(db, TZ, county, AT)
    expected = merge_towns(
        county,
        [
            town_summary(
                await compliance.compliance(db, TZ, town, AT), compliance.COUNTY_WORKERS_KEPT
            )
            for town in towns
        ],
    )
    assert found == expected
    # Not a trivial equality: workers were left out, some are behind, the worker without
    # households is kept, the worker of two towns and the grid worker of two towns count in
    # each, and the week's check-ins are seen.
    workers = sum(SIZES)
    assert len(found.by_worker) < workers
    assert 0 < (found.workers_behind or 0) < workers
    assert any(w.contacts.total == 0 for w in found.by_worker)
    assert [w.code for w in found.by_worker].count("W0-00") == 2
    assert [c.code for c in found.checkins].count("GX") == 2
    assert found.checked_in.done == 3
    assert found.contacts.total == sum(u.contacts.total for u in found.by_unit) > 0
    assert 0 < found.contacts.done < found.contacts.total


async def test_county_report_figures_by_town_equal_each_towns_own(db: Database) -> None:
    county, towns = await _county(db)
    rng = random.Random(5)
    start, end = datetime(2026, 6, 14, tzinfo=TZ), datetime(2026, 6, 21, tzinfo=TZ)
    for _ in range(120):
        t = rng.randrange(len(SIZES))
        await put_report(
            db,
            created=datetime(2026, 6, rng.randrange(1, 21), 9, tzinfo=TZ),
            micro_grid=f"T{t}M{rng.randrange(SIZES[t])}",
            category=rng.choice(("infrastructure", "policy", "other")),
            status=rng.choice(("new", "accepted", "resolved", "closed", "rejected")),
            on_spot=rng.random() < 0.5,
            overdue=rng.random() < 0.2,
        )
    # Some filed by the worker on a visit or a contact (counted apart when on a visit).
    async with db.transaction():
        await db.execute("UPDATE reports SET collected_on = 'visit' WHERE id % 3 = 0")
        await db.execute("UPDATE reports SET collected_on = 'contact' WHERE id % 3 = 1")
    rows = await digest_store.report_counts(db, county, to_ts(start), to_ts(end))
    figures = report_figures(rows, [town.id for town in towns])
    assert figures.total.collected == 120 and figures.total.on_visits == 40
    assert 0 < figures.period.collected < 120 and 0 < figures.period.on_visits < 40
    for town in towns:
        own = report_figures(await digest_store.report_counts(db, town, to_ts(start), to_ts(end)))
        assert figures.sub_total[town.id] == own.total
        assert figures.sub_period[town.id] == own.period
        assert own.total.collected > 0


async def test_county_supervision_figures_add_up_the_towns(db: Database) -> None:
    county, towns = await _county(db)
    cadre = await db.scalar("SELECT id FROM staff WHERE code = 'G0-0'")
    at = to_ts(AT)
    reports = {}
    for name, micro_grid, status in (
        ("waiting", "T0M1", "new"),
        ("again", "T0M2", "accepted"),
        ("lapsed", "T1M0", "accepted"),
        ("closed", "T1M1", "closed"),  # not open: neither supervision nor urging counts
        ("urged", "T2M4", "new"),
    ):
        reports[name] = await put_report(db, created=AT, micro_grid=micro_grid, status=status)
    async with db.transaction():
        for name, answered, lapsed in (
            ("waiting", None, None),
            ("again", at, None),  # answered, then supervised again: the latest one counts
            ("again", None, None),
            ("lapsed", None, at),
            ("closed", None, None),
        ):
            await db.execute(
                "INSERT INTO report_supervisions (report_id, by_staff_id, instruction, set_at, "
                "due_at, answered_at, lapsed_at) VALUES (?, ?, 'x', ?, ?, ?, ?)",
                (reports[name], cadre, at, at, answered, lapsed),
            )
        for name in ("urged", "urged", "waiting", "closed"):
            await db.execute(
                "INSERT INTO report_urges (report_id, tg_user_id, at) VALUES (?, 9, ?)",
                (reports[name], at),
            )
    found = await supervision.figures(db, county, 9)
    own = [await supervision.figures(db, town, 9) for town in towns]
    assert (found.supervised, found.answered, found.waiting, found.lapsed) == (3, 0, 2, 1)
    assert (found.urged, found.urgings) == (2, 3)
    for field in ("supervised", "answered", "waiting", "lapsed", "urged", "urgings"):
        assert getattr(found, field) == sum(getattr(f, field) for f in own), field
