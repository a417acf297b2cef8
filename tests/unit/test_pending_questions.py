"""The one store of questions waiting for a person's text (no Telegram)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock, to_ts
from bot.config import config_from_dict
from bot.storage.db import Database, _migrations
from services import questions
from services.announcements import COMPOSE_WINDOW
from services.questions import Asker

T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
ANN, BEA = 101, 102


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "q.sqlite3")
    yield database
    await database.close()


async def test_the_most_recent_question_wins_even_within_one_second(db: Database) -> None:
    clock, config = FakeClock(T0), config_from_dict({})
    assert await questions.latest(db, clock, ANN) is None
    await questions.ask(db, clock, config, ANN, ANN, Asker.LOGBOOK, subject_id=7)
    await questions.ask(db, clock, config, ANN, ANN, Asker.FLOW, message_id=55)
    await questions.ask(db, clock, config, BEA, BEA, Asker.ANNOUNCEMENT)
    latest = await questions.latest(db, clock, ANN)
    assert latest is not None
    assert (latest.flow, latest.chat_id, latest.message_id) == ("flow", ANN, 55)
    assert latest.expires_at == to_ts(T0 + config.flows.timeout)
    # Asking again replaces the earlier question of that flow, as the newest.
    await questions.ask(db, clock, config, ANN, ANN, Asker.LOGBOOK, subject_id=8)
    latest = await questions.latest(db, clock, ANN)
    assert latest is not None and (latest.flow, latest.subject_id) == ("logbook", 8)
    assert (
        await db.scalar("SELECT COUNT(*) FROM pending_questions WHERE tg_user_id = ?", (ANN,)) == 2
    )


async def test_each_flow_waits_its_own_time_then_is_purged(db: Database) -> None:
    clock = FakeClock(T0)
    config = config_from_dict({"flows": {"timeout": "3h"}, "households": {"flow_timeout": "1h"}})
    assert questions.lifetime(config, Asker.FLOW) == timedelta(hours=3)
    assert questions.lifetime(config, Asker.LOGBOOK) == timedelta(hours=1)
    assert questions.lifetime(config, Asker.ANNOUNCEMENT) == COMPOSE_WINDOW
    await questions.ask(db, clock, config, ANN, ANN, Asker.FLOW)
    await questions.ask(db, clock, config, ANN, ANN, Asker.LOGBOOK)
    clock.advance(timedelta(hours=1, seconds=1))  # the logbook's question expired
    latest = await questions.latest(db, clock, ANN)
    assert latest is not None and latest.flow == "flow"
    assert await questions.purge(db, clock) == 1
    clock.advance(timedelta(hours=2))
    assert await questions.latest(db, clock, ANN) is None
    assert await questions.purge(db, clock) == 1
    assert await db.scalar("SELECT COUNT(*) FROM pending_questions") == 0


async def test_notes_wait_each_on_their_message_and_are_taken_once(db: Database) -> None:
    clock, config = FakeClock(T0), config_from_dict({})
    assert questions.lifetime(config, Asker.NOTE) == config.retention.drafts
    await questions.ask(db, clock, config, ANN, ANN, Asker.FLOW)
    for report, message in ((1, 11), (2, 12)):
        await questions.ask(
            db,
            clock,
            config,
            ANN,
            ANN,
            Asker.NOTE,
            subject_id=report,
            message_id=message,
            kind="resolve",
        )
    # A note's question is answered by a reply, never by the next typed text.
    latest = await questions.latest(db, clock, ANN)
    assert latest is not None and latest.flow == "flow"
    assert await questions.asked_by(db, clock, ANN, 11, BEA, Asker.NOTE) is None  # not theirs
    assert await questions.asked_by(db, clock, ANN, 11, ANN, Asker.FLOW) is None
    taken = await questions.take(db, clock, ANN, 12, ANN, Asker.NOTE)
    assert taken is not None and (taken.subject_id, taken.kind) == (2, "resolve")
    assert await questions.take(db, clock, ANN, 12, ANN, Asker.NOTE) is None
    clock.advance(config.retention.drafts)
    assert await questions.asked_by(db, clock, ANN, 11, ANN, Asker.NOTE) is None
    assert await questions.purge(db, clock) == 2


def test_migration_carries_the_old_marker_and_the_notes_over() -> None:
    conn = sqlite3.connect(":memory:")
    steps = _migrations()
    for version, _, sql in steps:
        if version < 16:
            conn.executescript(sql)
    rows = [
        (ANN, {"asked": "logbook", "asked_changed": True, "lang": "zh"}, 1000),
        (BEA, {"flow": {"name": "survey"}}, 2000),
        (103, {"asked": "something-else"}, 3000),
    ]
    conn.executemany(
        "INSERT INTO flow_user_data (user_id, data, updated_at) VALUES (?, ?, ?)",
        [(user, json.dumps(data), at) for user, data, at in rows],
    )
    conn.execute(  # foreign keys off: a note without its report
        "INSERT INTO pending_notes (chat_id, message_id, tg_user_id, report_id, action, "
        "created_at) VALUES (?, 41, ?, 5, 'reject', 500)",
        (BEA, BEA),
    )
    [(_, _, sql)] = [step for step in steps if step[0] == 16]
    conn.executescript(sql)
    moved = conn.execute(
        "SELECT tg_user_id, chat_id, flow, kind, subject_id, message_id, asked_at, expires_at "
        "FROM pending_questions ORDER BY flow"
    ).fetchall()
    assert moved == [
        (ANN, ANN, "logbook", "", None, None, 1000, 1000 + 6 * 3600),
        (BEA, BEA, "note", "reject", 5, 41, 500, 500 + 7 * 86400),
    ]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "pending_notes" not in tables
    data = dict(conn.execute("SELECT user_id, data FROM flow_user_data").fetchall())
    assert json.loads(data[ANN]) == {"lang": "zh"}
    assert json.loads(data[BEA]) == {"flow": {"name": "survey"}}
    assert json.loads(data[103]) == {}
