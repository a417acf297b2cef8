"""Compliance on a real SQLite with the test town: periods in the town's zone, households
added mid-period or deactivated, sub-units, named workers, check-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock, to_ts
from bot.storage import contacts as store
from bot.storage import grid
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.contacts import LogKind, Outcome, fulfils
from models.permissions import Actor
from models.units import Unit
from services import compliance
from services.roster import Roster
from tests.town import test_town as town_roster

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "x.sqlite3")
    await apply_roster(database, town_roster(), local(2026, 3, 15, 9, 0))
    yield database
    await database.close()


async def unit(db: Database, code: str) -> Unit:
    found = await grid.unit_by_code(db, code)
    assert found is not None
    return found


async def log(
    db: Database,
    household: str,
    when: datetime,
    kind: LogKind = LogKind.CONTACT,
    outcome: Outcome = Outcome.PHONE,
    staff: str = "L4A",
) -> None:
    household_id = await db.scalar("SELECT id FROM households WHERE code = ?", (household,))
    staff_id = await db.scalar("SELECT id FROM staff WHERE code = ?", (staff,))
    async with db.transaction():
        await store.add_entry(
            db,
            household_id=household_id,
            staff_id=staff_id,
            kind=kind,
            outcome=outcome,
            counts=fulfils(kind, outcome),
            happened_on=when.astimezone(TZ).date().isoformat(),
            happened_at=to_ts(when),
            note="",
            lat=None,
            lon=None,
            at=to_ts(when),
        )


async def checkin(db: Database, staff: str, when: datetime, flagged: bool = False) -> None:
    staff_id = await db.scalar("SELECT id FROM staff WHERE code = ?", (staff,))
    async with db.transaction():
        await store.add_checkin(db, staff_id, None, 28.2, 112.5, None, flagged, to_ts(when))


def without(roster: Roster, *codes: str) -> Roster:
    return roster.model_copy(
        update={"households": tuple(h for h in roster.households if h.code not in codes)}
    )


async def test_month_boundary_is_local_midnight(db: Database) -> None:
    m1 = await unit(db, "M1")
    # 23:30 on 31 May in Shanghai is still May; 00:10 on 1 June is June (both 31 May in UTC).
    await log(db, "M1-H1", local(2026, 5, 31, 23, 30))
    await log(db, "M1-H2", local(2026, 6, 1, 0, 10))
    assert local(2026, 6, 1, 0, 10).astimezone(UTC).day == 31
    june = await compliance.compliance(db, TZ, m1, local(2026, 6, 20, 12, 0))
    assert (june.contacts.done, june.contacts.total) == (1, 4)
    assert june.month.key == "2026-06" and june.month.start == local(2026, 6, 1)
    may = await compliance.compliance(db, TZ, m1, local(2026, 5, 31, 23, 59))
    assert (may.contacts.done, may.contacts.total) == (1, 4)
    assert [h.code for h in may.due_contact] == ["M1-H2", "M1-H3", "M1-H4"]


async def test_quarter_boundary_and_visits_count_as_contacts(db: Database) -> None:
    m1 = await unit(db, "M1")
    await log(db, "M1-H1", local(2026, 3, 31, 23, 0), LogKind.VISIT, Outcome.MET)
    await log(db, "M1-H2", local(2026, 4, 1, 0, 30), LogKind.VISIT, Outcome.MET)
    await log(db, "M1-H3", local(2026, 4, 2, 10, 0), LogKind.VISIT, Outcome.NOT_HOME)
    result = await compliance.compliance(db, TZ, m1, local(2026, 4, 20, 12, 0))
    assert result.quarter.key == "2026-Q2"
    assert (result.visits.done, result.contacts.done) == (1, 1)  # only M1-H2, met, in Q2
    assert [h.code for h in result.due_visit] == ["M1-H1", "M1-H3", "M1-H4"]
    march = await compliance.compliance(db, TZ, m1, local(2026, 3, 31, 23, 30))
    assert (march.visits.done, march.quarter.key) == (1, "2026-Q1")


async def test_household_added_mid_period_counts_from_then(db: Database) -> None:
    m1 = await unit(db, "M1")
    roster = town_roster()
    extra = roster.households[0].model_copy(update={"code": "M1-H5", "head_name": "新户"})
    await apply_roster(
        db,
        roster.model_copy(update={"households": (*roster.households, extra)}),
        local(2026, 6, 15, 9, 0),
    )
    before = await compliance.compliance(db, TZ, m1, local(2026, 6, 10, 12, 0))
    assert before.contacts.total == 4
    after = await compliance.compliance(db, TZ, m1, local(2026, 6, 20, 12, 0))
    assert after.contacts.total == 5 and "M1-H5" in [h.code for h in after.due_contact]
    await log(db, "M1-H5", local(2026, 6, 16, 10, 0))
    later = await compliance.compliance(db, TZ, m1, local(2026, 6, 20, 12, 0))
    assert "M1-H5" not in [h.code for h in later.due_contact]


async def test_contact_before_a_household_came_back_does_not_count(db: Database) -> None:
    m1 = await unit(db, "M1")
    await log(db, "M1-H4", local(2026, 6, 3, 10, 0))
    await apply_roster(db, without(town_roster(), "M1-H4"), local(2026, 6, 5, 9, 0))
    await apply_roster(db, town_roster(), local(2026, 6, 12, 9, 0))
    result = await compliance.compliance(db, TZ, m1, local(2026, 6, 20, 12, 0))
    assert result.contacts.total == 4
    assert "M1-H4" in [h.code for h in result.due_contact]


async def test_deactivated_households_do_not_count(db: Database) -> None:
    m1 = await unit(db, "M1")
    await apply_roster(db, without(town_roster(), "M1-H3"), local(2026, 6, 5, 9, 0))
    now = await compliance.compliance(db, TZ, m1, local(2026, 6, 20, 12, 0))
    assert now.contacts.total == 3 and "M1-H3" not in [h.code for h in now.due_contact]
    earlier = await compliance.compliance(db, TZ, m1, local(2026, 6, 2, 12, 0))
    assert earlier.contacts.total == 4  # it still existed then


async def test_sub_units_and_named_workers(db: Database) -> None:
    for code in ("M1-H1", "M1-H2", "M2-H1"):
        await log(db, code, local(2026, 6, 5, 10, 0))
    await log(db, "M4-H1", local(2026, 6, 6, 10, 0), LogKind.VISIT, Outcome.MET, staff="L4D")
    at = local(2026, 6, 20, 12, 0)
    town = await compliance.compliance(db, TZ, await unit(db, "T"), at)
    assert (town.contacts.done, town.contacts.total) == (4, 12)
    assert [(u.code, u.contacts.done, u.contacts.total, u.visits.done) for u in town.by_unit] == [
        ("V1", 3, 10, 0),
        ("V2", 1, 2, 1),
    ]
    g1 = await compliance.compliance(db, TZ, await unit(db, "G1"), at)
    assert [(u.code, u.contacts.done, u.contacts.total) for u in g1.by_unit] == [
        ("M1", 2, 4),
        ("M2", 1, 3),
    ]
    workers = {w.code: w for w in town.by_worker}
    assert set(workers) == {"L4A", "L4B", "L4D"}
    assert (workers["L4B"].contacts.done, workers["L4B"].contacts.total) == (1, 6)  # M2 + M3
    assert workers["L4D"].contacts.share == 0.5 and workers["L4D"].visits.share == 0.5
    assert [w.code for w in town.behind_contact] == ["L4B", "L4A", "L4D"]
    assert [w.code for w in g1.by_worker] == ["L4A", "L4B"]  # L4B's M3 is outside G1
    assert g1.by_worker[1].contacts.total == 3
    assert g1.checkins and not any(c.checked_in for c in g1.checkins)
    m1 = await compliance.compliance(db, TZ, await unit(db, "M1"), at)
    assert m1.by_unit == () and m1.checkins == ()


async def test_grid_workers_checked_in_this_week(db: Database) -> None:
    await checkin(db, "L3A", local(2026, 6, 15, 0, 5))  # Monday of W25, just after midnight
    await checkin(db, "L3B", local(2026, 6, 14, 23, 50))  # Sunday: the week before
    await checkin(db, "L3B", local(2026, 6, 16, 9, 0), flagged=True)  # far outside: no count
    result = await compliance.compliance(db, TZ, await unit(db, "T"), local(2026, 6, 18, 12, 0))
    assert result.week.key == "2026-W25"
    figures = {c.code: c for c in result.checkins}
    assert set(figures) == {"L3A", "L3B", "L3C"}
    assert figures["L3A"].checked_in and not figures["L3B"].checked_in
    assert figures["L3B"].flagged == 1
    assert (result.checked_in.done, result.checked_in.total) == (1, 3)
    assert [c.code for c in result.not_checked_in] == ["L3B", "L3C"]
    v2 = await compliance.compliance(db, TZ, await unit(db, "V2"), local(2026, 6, 18, 12, 0))
    assert [c.code for c in v2.checkins] == ["L3C"]


async def test_due_for_an_actor(db: Database) -> None:
    await log(db, "M2-H2", local(2026, 6, 5, 10, 0), LogKind.VISIT, Outcome.MET, staff="L4B")
    staff = await grid.staff_by_code(db, "L4B")
    assert staff is not None
    units = await grid.units_by_ids(db, staff.unit_ids)
    actor = Actor(tg_user_id=1, staff=staff, units=tuple(units.values()))
    due = await compliance.due_for(db, FakeClock(local(2026, 6, 20, 9, 0)), TZ, actor)
    assert due.total == 6 and len(due.contact) == 5 and len(due.visit) == 5
    assert "M2-H2" not in [h.code for h in due.visit]


async def _seed_at_the_edges(db: Database) -> None:
    """Contacts and visits at the month and quarter edges; M1-H4 leaves the roster on 20 May."""
    await apply_roster(db, without(town_roster(), "M1-H4"), local(2026, 5, 20, 9, 0))
    for code, when, kind in (
        ("M1-H1", local(2026, 5, 31, 23, 30), LogKind.CONTACT),
        ("M1-H2", local(2026, 6, 1, 0, 10), LogKind.CONTACT),
        ("M2-H1", local(2026, 4, 1, 8, 0), LogKind.VISIT),
        ("M4-H1", local(2026, 3, 31, 23, 59), LogKind.VISIT),
        ("M1-H4", local(2026, 5, 10, 9, 0), LogKind.CONTACT),
    ):
        outcome = Outcome.MET if kind is LogKind.VISIT else Outcome.PHONE
        await log(db, code, when, kind, outcome, staff="L4D" if code == "M4-H1" else "L4A")


async def test_counts_in_sql_agree_with_counting_the_households(db: Database) -> None:
    """Above a micro-grid the figures are counted in SQL; they must be what counting the
    loaded households gives, at every moment (added, deactivated, month and quarter edges)."""
    from bot.storage import households as household_store
    from models.compliance import tally
    from models.periods import month_of, quarter_of

    await _seed_at_the_edges(db)
    town = await unit(db, "T")
    for at in (
        local(2026, 3, 31, 23, 59),
        local(2026, 5, 15, 12, 0),
        local(2026, 5, 31, 23, 45),
        local(2026, 6, 20, 12, 0),
    ):
        month, quarter = month_of(at, TZ), quarter_of(at, TZ)
        async with db.transaction():
            facts = await household_store.facts(db, [town], to_ts(at))
            counted = await household_store.tallies(
                db, town, to_ts(at), to_ts(month.start), to_ts(quarter.start)
            )
        expected = tally(facts, at, month, quarter)
        assert sorted(counted, key=lambda t: t.micro_grid_id) == sorted(
            expected, key=lambda t: t.micro_grid_id
        ), at
    assert sum(t.contacted for t in counted) == 1 and sum(t.visited for t in counted) == 1


async def test_due_lists_count_in_sql_and_name_the_first_few(db: Database) -> None:
    """/tasks counts a cadre's due households in SQL and loads only the first few of each
    list; the counts and the lists are what the loaded households give, at every moment."""
    from bot.storage import households as household_store
    from models.periods import month_of, quarter_of

    await _seed_at_the_edges(db)
    town, village = await unit(db, "T"), await unit(db, "V1")
    for units in ([town], [village], [await unit(db, "M1"), await unit(db, "M4")]):
        for at in (local(2026, 5, 15, 12, 0), local(2026, 6, 1, 0, 30), local(2026, 6, 20, 12)):
            month, quarter = month_of(at, TZ), quarter_of(at, TZ)
            async with db.transaction():
                facts = [f for f in await household_store.facts(db, units, to_ts(at))]
                counts, contact, visit = await household_store.due(
                    db, units, to_ts(at), to_ts(month.start), to_ts(quarter.start), 3
                )
            facts = [f for f in facts if f.counts_at(at)]
            not_contacted = [f.household for f in facts if not f.contacted(month)]
            not_visited = [f.household for f in facts if not f.visited(quarter)]
            assert counts.total == len(facts) and counts.total > 3, (units, at)
            assert counts.total - counts.contacted == len(not_contacted), (units, at)
            assert counts.total - counts.visited == len(not_visited), (units, at)
            assert counts.unlinked == sum(not f.household.linked for f in facts)
            assert contact == not_contacted[:3] and visit == not_visited[:3], (units, at)
    # Contacted on 1 June 00:10 (M1-H2): out of June's list, still in May's.
    async with db.transaction():
        at = local(2026, 6, 20, 12)
        month, quarter = month_of(at, TZ), quarter_of(at, TZ)
        _, contact, _ = await household_store.due(
            db, [await unit(db, "M1")], to_ts(at), to_ts(month.start), to_ts(quarter.start), 9
        )
    assert "M1-H2" not in [h.code for h in contact] and "M1-H1" in [h.code for h in contact]
