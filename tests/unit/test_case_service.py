"""The case service on a real SQLite database: reports moved by staff and residents, pressed
twice, and swept when late, with what the store keeps (no Telegram)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import config_from_dict
from bot.storage import cases as case_store
from bot.storage import reports as report_store
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.cases import Kind
from models.errors import Refusal
from models.reports import Move, Status
from models.units import Level
from services import cases
from services.actors import actor_for
from services.reports.filing import file_complete
from services.reports.moves import REPORTS, Moved
from tests import town
from tests.builders import link_staff, put_group

T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
RESIDENT = 601
STAFF = {"L4A": 701, "L3A": 702, "V1C": 703, "C1": 704}
CONFIG = config_from_dict({})


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "x.sqlite3")
    await apply_roster(database, town.test_town(), T0)
    await put_group(database, -1, "M1", members=(RESIDENT,))
    await link_staff(database, STAFF)
    yield database
    await database.close()


async def file(db: Database, clock: FakeClock, message_id: int = 10) -> int:
    filed = await file_complete(
        db,
        clock,
        CONFIG,
        chat_id=-1,
        message_id=message_id,
        tg_user_id=RESIDENT,
        name="王秀英",
        category="infrastructure",
        description="路灯坏了",
        private=False,
    )
    assert filed is not None
    return filed.report.id


async def move(
    db: Database, clock: FakeClock, who: int, report_id: int, m: Move, **kw: Any
) -> Moved | None:
    actor = await actor_for(db, who)
    return await cases.apply(db, clock, CONFIG, REPORTS, actor, report_id, m, **kw)


async def test_accept_resolve_confirm_keeps_typed_times_and_history(db: Database) -> None:
    clock = FakeClock(T0)
    number = await file(db, clock)
    clock.advance(timedelta(minutes=30))
    accepted = await move(db, clock, STAFF["L4A"], number, Move.ACCEPT)
    assert accepted is not None and accepted.after.status is Status.ACCEPTED
    deadlines = CONFIG.reports.deadlines.at(Level.MICRO_GRID)
    assert accepted.after.resolve_due_at == clock.now() + deadlines.resolve_within
    assert accepted.after.accept_due_at is None
    await move(db, clock, STAFF["L4A"], number, Move.RESOLVE, note="换了灯泡")
    await move(db, clock, RESIDENT, number, Move.CONFIRM)
    async with db.reading():
        case = await case_store.case(db, Kind.REPORT, number)
        history = await case_store.history(db, Kind.REPORT, [number])
    assert case is not None and case.status == "closed" and case.solved_on_spot
    assert case.accepted_in_time is True and case.closed_at == clock.now()
    assert [e.action for e in history] == ["filed", "accept", "resolve", "confirm"]
    assert history[2].note == "换了灯泡" and history[3].actor == f"tg:{RESIDENT}"


async def test_a_press_delivered_twice_moves_once(db: Database) -> None:
    clock = FakeClock(T0)
    number = await file(db, clock)
    first = await move(db, clock, STAFF["L4A"], number, Move.ACCEPT, press_id="q-1")
    again = await move(db, clock, STAFF["L4A"], number, Move.ACCEPT, press_id="q-1")
    assert first is not None and again is None
    async with db.reading():
        assert [e.action for e in await case_store.history(db, Kind.REPORT, [number])] == [
            "filed",
            "accept",
        ]


async def test_refusals_change_nothing(db: Database) -> None:
    clock = FakeClock(T0)
    number = await file(db, clock)
    with pytest.raises(Refusal) as caught:
        await move(db, clock, STAFF["L4A"], number, Move.RESOLVE)
    assert caught.value.key == "reports.note_needed"
    with pytest.raises(Refusal) as caught:
        await move(db, clock, RESIDENT, number, Move.CONFIRM)
    assert caught.value.key == "reports.moved_on"
    with pytest.raises(Refusal) as caught:
        await move(db, clock, STAFF["L4A"], number, Move.DUPLICATE, duplicate_of=number)
    assert caught.value.key == "reports.bad_duplicate"
    async with db.reading():
        report = await report_store.report(db, number)
    assert report is not None and report.status is Status.NEW and report.owner_staff_id is None


async def test_the_sweep_climbs_to_the_town_then_only_flags_once(db: Database) -> None:
    clock = FakeClock(T0)
    number = await file(db, clock)
    levels = []
    for _ in range(3):
        clock.advance(timedelta(days=10))
        [moved] = await cases.sweep(db, clock, CONFIG, REPORTS)
        assert moved.overdue and moved.route is not None and moved.by is None
        levels.append(moved.after.level)
    assert levels == [Level.GRID, Level.VILLAGE, Level.TOWN]
    clock.advance(timedelta(days=10))
    assert await cases.sweep(db, clock, CONFIG, REPORTS) == []  # flagged, not moved
    assert await cases.sweep(db, clock, CONFIG, REPORTS) == []  # and only once
    async with db.reading():
        report = await report_store.report(db, number)
        actions = [e.action for e in await case_store.history(db, Kind.REPORT, [number])]
    assert report is not None and report.overdue and report.escalations == 3
    assert report.accept_due_at is None and report.level is Level.TOWN
    assert actions == ["filed"] + ["escalate_overdue"] * 3 + ["overdue"]


async def test_the_callers_notices_are_stored_with_the_change_or_neither(db: Database) -> None:
    """`then` runs inside the use case's transaction: what it writes commits with the
    change, and when it fails the change is not kept either (a move, a filing)."""
    from models.outbox import Notice, Recipient
    from services import notices

    clock = FakeClock(T0)
    number = await file(db, clock)

    async def fails(_: object) -> None:
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        await move(db, clock, STAFF["L4A"], number, Move.ACCEPT, then=fails)
    async with db.reading():
        report = await report_store.report(db, number)
        history = await case_store.history(db, Kind.REPORT, [number])
    assert report is not None and report.status is Status.NEW
    assert [e.action for e in history] == ["filed"]

    async def told(moved: Moved) -> None:
        notice = Notice(
            key=f"test:{moved.after.id}:accepted",
            chat_id=RESIDENT,
            method="sendMessage",
            params={"chat_id": RESIDENT, "text": "accepted"},
            recipient=Recipient.RESIDENT,
            subject=f"report:{moved.after.id}",
        )
        await notices.enqueue(db, clock, [notice])

    accepted = await move(db, clock, STAFF["L4A"], number, Move.ACCEPT, then=told)
    assert accepted is not None and accepted.after.status is Status.ACCEPTED
    pending = await db.scalar("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'test:%'")
    assert pending == 1

    with pytest.raises(RuntimeError):
        await file_complete(
            db,
            clock,
            CONFIG,
            chat_id=-1,
            message_id=11,
            tg_user_id=RESIDENT,
            name="王秀英",
            category="infrastructure",
            description="井盖丢了",
            private=False,
            then=fails,
        )
    assert await db.scalar("SELECT COUNT(*) FROM reports WHERE description = '井盖丢了'") == 0
    assert await db.scalar("SELECT COUNT(*) FROM report_drafts WHERE message_id = 11") == 0
