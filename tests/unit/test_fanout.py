"""County-scale fan-out on a real SQLite file: sends claimed fairly across towns (each
town's next message before any town's one after), in batches that resume after a restart
without a duplicate or a gap, each run's start and end recorded and shown in the digest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock, to_ts
from bot.config import Config
from bot.storage import households
from bot.storage import ledger as store
from bot.storage.db import Database
from bot.storage.ledger import Planned, Run
from bot.storage.metrics import run_progress, run_seconds
from bot.storage.roster import apply_roster
from bot.texts import Texts
from handlers.cadre.extras_render import render, took
from models.digest import SpanKind, span_containing
from models.units import Level, Unit
from services import announcements, ledger
from services.digest import Digest
from services.digest_extras import Extras
from services.ledger import Outcome
from tests.county import towns_roster

NOW = datetime(2026, 6, 20, 2, 0, tzinfo=UTC)
KIND = "reminder:monthly_contact"
RUN = "2026-06-20T10:00"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    await apply_roster(database, towns_roster([5, 3, 1]), NOW)
    yield database
    await database.close()


async def workers(db: Database) -> dict[str, int]:
    """Staff code -> id."""
    return {r["code"]: r["id"] for r in await db.fetchall("SELECT id, code FROM staff")}


async def towns(db: Database) -> dict[int, str]:
    """Town id -> code."""
    rows = await db.fetchall("SELECT id, code FROM units WHERE level = 1")
    return {r["id"]: r["code"] for r in rows}


def to_staff(staff_id: int) -> Planned:
    return Planned(recipient=f"staff:{staff_id}", staff_id=staff_id, chat_id=1000 + staff_id)


async def record_by_town(db: Database, clock: FakeClock, kind: str = KIND, key: str = RUN) -> None:
    """A run recorded town after town (as a roster-ordered query would list it)."""
    ids = await workers(db)
    order = [f"W0-{m}" for m in range(5)] + [f"W1-{m}" for m in range(3)] + ["W2-0"]
    await ledger.record(db, clock, kind, key, [to_staff(ids[c]) for c in order])


def town_of(entry: store.Entry, names: dict[int, str]) -> str:
    assert entry.town_id is not None
    return names[entry.town_id]


async def test_claims_take_each_towns_next_message_in_turn(db: Database) -> None:
    clock = FakeClock(NOW)
    await record_by_town(db, clock)
    names = await towns(db)
    first = await ledger.claim(db, clock, [KIND], "p1", 3)
    # The first batch reaches every town, though town T0 was recorded first with 5.
    assert sorted(town_of(e, names) for e in first) == ["T0", "T1", "T2"]
    rest = await ledger.claim(db, clock, [KIND], "p1", None)
    assert [town_of(e, names) for e in rest] == ["T0", "T1", "T0", "T1", "T0", "T0"]
    # Within a town, the order it was recorded in.
    t0 = [e.recipient for e in first + rest if town_of(e, names) == "T0"]
    ids = await workers(db)
    assert t0 == [f"staff:{ids[f'W0-{m}']}" for m in range(5)]


async def test_a_later_run_is_not_kept_behind_an_earlier_runs_rest(db: Database) -> None:
    clock = FakeClock(NOW)
    await record_by_town(db, clock)
    await ledger.claim(db, clock, [KIND], "p1", 3)  # the first of each town went out
    ids = await workers(db)
    other = "reminder:pension"
    await ledger.record(db, clock, other, "2026-06-20T10:05", [to_staff(ids["W1-0"])])
    batch = await ledger.claim(db, clock, [KIND, other], "p1", 3)
    # Its first message comes before the earlier run's third ones.
    assert other in [e.kind for e in batch]


async def test_every_kind_of_recipient_gets_its_town(db: Database) -> None:
    clock = FakeClock(NOW)
    names = await towns(db)
    household = await db.scalar("SELECT id FROM households WHERE code = 'H1-2-0'")
    unit = await db.scalar("SELECT id FROM units WHERE code = 'T2G'")
    micro_grid = await db.scalar("SELECT id FROM units WHERE code = 'T0M4'")
    async with db.transaction():
        await db.execute(
            "INSERT INTO groups (chat_id, title, micro_grid_id, added_at, updated_at) "
            "VALUES (-77, 'g', ?, 0, 0)",
            (micro_grid,),
        )
    ids = await workers(db)
    recorded = await ledger.record(
        db,
        clock,
        "announcement:1",
        "",
        [
            Planned(recipient="chat:-77", chat_id=-77),
            Planned(recipient="person:5", chat_id=5, household_id=household),
            Planned(recipient=f"staff:{ids['W2-0']}/unit:{unit}", chat_id=9, unit_id=unit),
            Planned(recipient="chat:-78", chat_id=-78),  # a group nobody bound: no town
        ],
    )
    assert [None if e.town_id is None else names[e.town_id] for e in recorded] == [
        "T0",
        "T1",
        "T2",
        None,
    ]


async def test_a_restart_resumes_the_run_without_a_duplicate_or_a_gap(db: Database) -> None:
    clock = FakeClock(NOW)
    await record_by_town(db, clock)
    # The first process sends one batch, then stops in the middle of the second.
    done = await ledger.claim(db, clock, [KIND], "p1", 3)
    await ledger.finish(db, clock, [Outcome(e.id, "sent", message_id=e.id) for e in done])
    in_flight = await ledger.claim(db, clock, [KIND], "p1", 3)
    await ledger.mark_sent(db, clock, in_flight[0].id, 1)  # one got through before the stop
    # The next process: what was in flight is unknown (never resent), the rest goes out.
    assert await ledger.recover(db, "p2") == 2
    after: list[int] = []
    while batch := await ledger.claim(db, clock, [KIND], "p2", 3):
        after += [e.id for e in batch]
        await ledger.finish(db, clock, [Outcome(e.id, "sent") for e in batch])
    claimed = [e.id for e in done + in_flight] + after
    assert len(claimed) == len(set(claimed)) == 9  # each row taken once, none left out
    assert await ledger.counts(db, KIND) == {"pending": 0, "sent": 7, "failed": 0, "unknown": 2}


async def test_a_run_records_its_start_and_end(db: Database) -> None:
    clock = FakeClock(NOW)
    await record_by_town(db, clock)
    assert await ledger.runs(db, "reminder", NOW) == []  # recorded, not started
    clock.advance(timedelta(seconds=5))
    batch = await ledger.claim(db, clock, [KIND], "p1", 8)
    clock.advance(timedelta(seconds=40))
    outcomes = [Outcome(e.id, "sent") for e in batch[:-1]] + [Outcome(batch[-1].id, "pending")]
    await ledger.finish(db, clock, outcomes)
    [going] = await ledger.runs(db, "reminder", NOW)
    assert (going.finished_at, going.sent, going.left) == (None, 7, 2)  # a retry keeps it open
    clock.advance(timedelta(seconds=30))
    rest = await ledger.claim(db, clock, [KIND], "p1", None)
    await ledger.finish(
        db, clock, [Outcome(rest[0].id, "failed", "forbidden"), Outcome(rest[1].id, "sent")]
    )
    [run] = await ledger.runs(db, "reminder", NOW)
    start = to_ts(NOW) + 5
    assert (run.started_at, run.finished_at) == (start, start + 70)
    assert (run.sent, run.failed, run.left) == (8, 1, 0)
    now = to_ts(clock.now())
    assert await run_seconds(db, now) == {(KIND, RUN): 70.0}
    progress = await run_progress(db, now)
    assert progress[(KIND, RUN, "sent")] == 8 and progress[(KIND, RUN, "left")] == 0
    # A run finished before the period asked about is not listed.
    assert await ledger.runs(db, "reminder", clock.now() + timedelta(seconds=1)) == []


async def test_announcement_groups_are_claimed_in_turn_and_never_sent_twice(
    db: Database,
) -> None:
    """A county-wide announcement: each group is claimed (each town's next in turn) before its
    send; a stop with sends in flight leaves those unknown, and the next process sends every
    other group exactly once."""
    clock = FakeClock(NOW)
    kind = announcements.ledger_kind(3)
    await record_by_town(db, clock, kind, "")
    names = await towns(db)
    order: list[store.Entry] = []
    # The first process sends three groups, then stops with two sends under way.
    for _ in range(3):
        entry = await announcements.claim_next(db, clock, 3, "p1")
        assert entry is not None
        order.append(entry)
        await announcements.record(db, clock, entry, True, message_id=entry.id)
    in_flight = [await announcements.claim_next(db, clock, 3, "p1") for _ in range(2)]
    order += [e for e in in_flight if e is not None]
    assert (await announcements.progress(db, 3))["sending"] == 2
    # The next process: those two are never sent again; the rest go out once each.
    assert await announcements.recover(db, 3, "p2") == 2
    while entry := await announcements.claim_next(db, clock, 3, "p2"):
        order.append(entry)
        await announcements.record(db, clock, entry, entry.id % 2 == 0, "gone")
    assert len(order) == len({e.id for e in order}) == 9  # each group taken once, none left
    assert [town_of(e, names) for e in order] == [
        *("T0", "T1", "T2"),
        *("T0", "T1"),
        *("T0", "T1"),
        "T0",
        "T0",
    ]
    progress = await announcements.progress(db, 3)
    assert (progress["pending"], progress["sending"], progress["unknown"]) == (0, 0, 2)
    assert progress["sent"] + progress["failed"] == 7 and progress["done"] == 9
    [run] = await ledger.runs(db, "announcement", NOW)
    assert run.finished_at is not None and (run.failed, run.left) == (progress["failed"] + 2, 0)


def test_the_digest_says_how_long_each_run_took() -> None:
    config = Config()
    town = Unit(
        id=1, code="T", name="镇", level=Level.TOWN, parent_id=None, ancestors=(1, None, None, None)
    )
    began = to_ts(datetime(2026, 6, 20, 2, 0, tzinfo=UTC))
    runs = [
        Run(
            kind=KIND,
            period_key=RUN,
            started_at=began,
            finished_at=began + 1065,
            sent=31_950,
            failed=50,
            left=0,
        ),
        Run(
            kind="reminder:pension",
            period_key="2026-06-01T09:00",
            started_at=began + 3600,
            finished_at=None,
            sent=10,
            failed=0,
            left=90,
        ),
    ]
    digest = Digest(
        unit=town,
        sub_units=[],
        span=span_containing(SpanKind.DAY, NOW, config.tz),
        reports=None,  # type: ignore[arg-type]
        at=NOW,
        extras=Extras(runs=runs),
    )
    zh = "\n".join(render(Texts().lang("zh"), config, digest))
    assert "一月一联系，06-20 10:00 开始：用时 17 分 45 秒，已送达 31950，未送达 50" in zh
    assert "养老认证，06-20 11:00 开始：仍在发送（已送达 10，未送达 0，剩余 90）" in zh
    en = "\n".join(render(Texts().lang("en"), config, digest))
    assert "Monthly contact, began 06-20 10:00: took 17 min 45 s, 31950 sent" in en
    t = Texts().lang("en")
    assert (took(t, 38), took(t, 3900)) == ("38 s", "1 h 5 min")


async def test_a_reminder_run_reads_only_households_it_may_list(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "due.sqlite3")
    try:
        await apply_roster(database, towns_roster([1], households=3), NOW - timedelta(days=40))
        homes = {
            r["code"]: r["id"] for r in await database.fetchall("SELECT id, code FROM households")
        }
        at = to_ts(NOW)
        month_start = at - 19 * 86400
        async with database.transaction():
            # H0-0-0 contacted this month, H0-0-1 last month; H0-0-2 visited, not contacted.
            await database.executemany(
                "INSERT INTO contacts (household_id, staff_id, kind, outcome, counts_contact, "
                "counts_visit, happened_on, happened_at, logged_at) "
                "VALUES (?, 1, 'visit', 'met', ?, 1, '2026-06-01', ?, ?)",
                [
                    (homes["H0-0-0"], 1, at - 3600, at - 3600),
                    (homes["H0-0-1"], 1, month_start - 3600, month_start - 3600),
                    (homes["H0-0-2"], 0, at - 3600, at - 3600),
                ],
            )
        every = await households.facts(database, None, at)
        due = await households.facts(database, None, at, contact_due_since=month_start)
        unvisited = await households.facts(database, None, at, visit_due_since=month_start)
        assert [f.household.code for f in every] == ["H0-0-0", "H0-0-1", "H0-0-2"]
        assert [f.household.code for f in due] == ["H0-0-1", "H0-0-2"]
        assert [f.household.code for f in unvisited] == ["H0-0-1"]
    finally:
        await database.close()
