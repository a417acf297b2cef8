"""Scratch rows are pruned after their window ([retention]); records never are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock, to_ts
from bot.config import ConfigError, config_from_dict
from bot.storage import contacts, grid
from bot.storage.cases import claim_press
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.contacts import LogKind, Outcome
from services.retention import prune_scratch
from tests import town

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
DAY = 86400
RECORDS = (
    "reports",
    "case_events",
    "contacts",
    "checkins",
    "audit_log",
    "staff",
    "households",
    "people",
)


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "grid.sqlite3")
    await apply_roster(database, town.test_town(), NOW - timedelta(days=400))
    yield database
    await database.close()


async def _scratch(db: Database) -> None:
    """Rows of every scratch table, some past their window and some not (names say which)."""
    now = to_ts(NOW)
    m1 = await grid.unit_by_code(db, "M1")
    staff = await db.scalar("SELECT id FROM staff WHERE code = 'L4A'")
    household = await db.scalar("SELECT id FROM households WHERE code = 'M1-H1'")
    async with db.transaction():
        # A year-old report with its history, a contact and a check-in: records, kept.
        await db.execute(
            "INSERT INTO reports (id, micro_grid_id, category, description, reporter_tg_id, "
            "reporter_name, source_chat_id, source_message_id, status, level, unit_id, "
            "created_at, updated_at) VALUES (1, ?, 'other', 'old', 5, 'r', -1, 1, 'new', 4, ?, "
            "?, ?)",
            (m1.id, m1.id, now - 365 * DAY, now - 365 * DAY),
        )
        await db.execute(
            "INSERT INTO case_events (kind, case_id, at, action, from_status, to_status, level, "
            "actor) VALUES ('report', 1, ?, 'file', NULL, 'new', 4, 'tg:5')",
            (now - 365 * DAY,),
        )
        await contacts.add_entry(
            db,
            household_id=household,
            staff_id=staff,
            kind=LogKind.CONTACT,
            outcome=Outcome.MET,
            counts=(True, False),
            happened_on="2025-06-09",
            happened_at=now - 366 * DAY,
            note="",
            lat=None,
            lon=None,
            at=now - 366 * DAY,
        )
        await contacts.add_checkin(db, staff, m1.id, 28.2, 112.5, 1.0, False, now - 365 * DAY)
        for message, age, filed in (("old", 8, None), ("old-filed", 8, 1), ("recent", 6, None)):
            await db.execute(
                "INSERT INTO report_drafts (chat_id, message_id, reporter_tg_id, reporter_name, "
                "micro_grid_id, report_id, description, created_at) VALUES (-1, ?, 5, 'r', ?, ?, "
                "?, ?)",
                (len(message) + age, m1.id, filed, message, now - age * DAY),
            )
            # Each draft's voice: an unfiled old one goes; a filed report's stays.
            await db.execute(
                "INSERT INTO report_attachments (draft_id, report_id, slot, kind, file_id, "
                "created_at) VALUES ((SELECT id FROM report_drafts WHERE description = ?), ?, "
                "'recording', 'voice', ?, ?)",
                (message, filed, f"voice-{message}", now - age * DAY),
            )
        for user, age in ((501, 8), (502, 6)):
            await db.execute(
                "INSERT INTO household_drafts (tg_user_id, kind, step, updated_at) "
                "VALUES (?, 'visit', 'note', ?)",
                (user, now - age * DAY),
            )
        for query, age in (("press-31d", 31), ("press-29d", 29), ("press-1h", 0)):
            await db.execute(
                "INSERT INTO applied_presses (query_id, at) VALUES (?, ?)",
                (query, now - age * DAY - 3600),
            )
        for user, status, created, decided in (
            (601, "declined", 200, 91),  # decided long ago: goes
            (602, "approved", 200, 89),  # decided within the window: stays
            (603, "pending", 91, None),  # never decided, asked long ago: goes
            (604, "pending", 10, None),  # stays
            (605, "withdrawn", 95, 92),  # goes
        ):
            await db.execute(
                "INSERT INTO household_link_requests (tg_user_id, display_name, household_id, "
                "micro_grid_id, chat_id, status, created_at, decided_at) "
                "VALUES (?, 'x', ?, ?, -1, ?, ?, ?)",
                (
                    user,
                    household,
                    m1.id,
                    status,
                    now - created * DAY,
                    None if decided is None else now - decided * DAY,
                ),
            )
        for update_id, received, done in ((1, 5, 4), (2, 3, 2), (3, 9, None)):
            # handled 4 days ago: goes; handled 2 days ago: stays; never finished: stays
            await db.execute(
                "INSERT INTO inbox_updates (update_id, chat_key, payload, received_at, done_at) "
                "VALUES (?, -1, '{}', ?, ?)",
                (update_id, now - received * DAY, None if done is None else now - done * DAY),
            )
        for token, created, expires, used in (
            ("used-long-ago", 100, 93, 95),  # goes
            ("expired-long-ago", 100, 93, None),  # goes
            ("used-lately", 20, 13, 15),  # stays
            ("expired-lately", 20, 13, None),  # stays
            ("valid", 1, -6, None),  # stays
        ):
            await db.execute(
                "INSERT INTO invitations (token, staff_id, created_at, expires_at, used_at, "
                "used_by) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    token,
                    staff,
                    now - created * DAY,
                    now - expires * DAY,
                    None if used is None else now - used * DAY,
                    None if used is None else 9,
                ),
            )


async def _column(db: Database, sql: str) -> list[object]:
    return sorted(r[0] for r in await db.fetchall(sql))


async def test_old_scratch_goes_recent_scratch_and_records_stay(db):
    await _scratch(db)
    counts = {t: await db.scalar(f"SELECT COUNT(*) FROM {t}") for t in RECORDS}
    config = config_from_dict({})
    removed = await prune_scratch(db, FakeClock(NOW), config.retention, batch=2)
    assert removed == {
        "report_drafts": 2,
        "report_attachments": 1,
        "household_drafts": 1,
        "applied_presses": 1,
        "household_link_requests": 3,
        "invitations": 2,
        "inbox_updates": 1,
    }
    assert await _column(db, "SELECT update_id FROM inbox_updates") == [2, 3]
    assert await _column(db, "SELECT description FROM report_drafts") == ["recent"]
    assert await _column(db, "SELECT file_id FROM report_attachments") == [
        "voice-old-filed",
        "voice-recent",
    ]
    assert await _column(db, "SELECT tg_user_id FROM household_drafts") == [502]
    assert await _column(db, "SELECT query_id FROM applied_presses") == ["press-1h", "press-29d"]
    assert await _column(db, "SELECT tg_user_id FROM household_link_requests") == [602, 604]
    assert await _column(db, "SELECT token FROM invitations") == [
        "expired-lately",
        "used-lately",
        "valid",
    ]
    for table, count in counts.items():
        assert await db.scalar(f"SELECT COUNT(*) FROM {table}") == count, table
    # Nothing is left to prune: a second run removes nothing.
    assert set((await prune_scratch(db, FakeClock(NOW), config.retention)).values()) == {0}


async def test_windows_are_configurable(db):
    await _scratch(db)
    config = config_from_dict({"retention": {"presses": "2d", "drafts": "30d"}})
    removed = await prune_scratch(db, FakeClock(NOW), config.retention)
    assert removed["applied_presses"] == 2 and removed["report_drafts"] == 0
    assert await _column(db, "SELECT query_id FROM applied_presses") == ["press-1h"]


async def test_a_press_delivered_again_after_its_window_would_count_again(db):
    # Telegram keeps an undelivered update for 24 hours at most, and the press window is at
    # least two days: a press can only come again while its record is still there.
    clock = FakeClock(NOW)
    config = config_from_dict({})
    async with db.transaction():
        assert await claim_press(db, "q-1", NOW)
    clock.advance(timedelta(days=29))
    await prune_scratch(db, clock, config.retention)
    async with db.transaction():
        assert not await claim_press(db, "q-1", clock.now())  # still recognised
    clock.advance(timedelta(days=2))
    await prune_scratch(db, clock, config.retention)
    async with db.transaction():
        # Past the window the record is gone: only the report's own state then refuses a
        # stale move (a press on a report that has moved on changes nothing).
        assert await claim_press(db, "q-1", clock.now())


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"presses": "23h"}, "retention.presses"),
        ({"drafts": "1h"}, "retention.drafts"),
        ({"link_requests": "never"}, "retention.link_requests"),
        ({"sweep_every": "1s"}, "retention.sweep_every"),
    ],
)
def test_bad_windows_are_named(data, key):
    with pytest.raises(ConfigError, match=key):
        config_from_dict({"retention": data})


def test_the_example_config_documents_the_defaults():
    from bot.config import load_config

    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    assert load_config(example).retention == config_from_dict({}).retention
