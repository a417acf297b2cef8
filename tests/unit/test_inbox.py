"""The durable inbox's rules without Telegram: what is stored, what is new, what is kept."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import inbox as store
from bot.storage.db import Database
from models.id_numbers import ID_PLACEHOLDER, carries_id_number
from models.limits import Kind, PersonLimits
from models.redaction import without_id_numbers

WHOLE_ID = "430124193301011234"
NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "inbox.sqlite3")
    yield database
    await database.close()


def row(update_id: int, chat: int = -1) -> store.StoredUpdate:
    return store.StoredUpdate(update_id, chat, json.dumps({"update_id": update_id}))


async def test_a_batch_is_stored_once_and_redelivered_updates_are_not_new(db: Database) -> None:
    async with db.transaction():
        assert await store.store(db, [row(5), row(6)], 100) == ({5, 6}, set())
        await store.mark_done(db, [5], 100)
    async with db.transaction():
        # Telegram delivers 5 and 6 again (not yet confirmed before a crash) along with 7:
        # 5 was handled already, 6 is still to be handled from the store.
        assert await store.store(db, [row(5), row(6), row(7)], 101) == ({7}, {5})
    assert [u.update_id for u in await store.unfinished(db)] == [6, 7]


async def test_unfinished_updates_come_back_oldest_first_until_marked_done(db: Database) -> None:
    async with db.transaction():
        await store.store(db, [row(9, chat=-2), row(3), row(4, chat=-2)], 100)
        await store.mark_done(db, [3], 105)
    assert [(u.update_id, u.chat_key) for u in await store.unfinished(db)] == [(4, -2), (9, -2)]
    assert await store.counts(db) == (2, 100)
    async with db.transaction():
        await store.mark_done(db, [4, 9], 106)
        await store.mark_done(db, [4], 999)  # marking twice keeps the first time
    assert await store.unfinished(db) == []
    assert await db.scalar("SELECT done_at FROM inbox_updates WHERE update_id = 4") == 106


def test_a_whole_id_number_is_never_in_the_stored_form() -> None:
    update = {
        "update_id": 1,
        "message": {
            "text": f"我的身份证 {WHOLE_ID}",
            "caption": "没有号码",
            "entities": [{"type": "text_link", "url": f"https://x.cn/?id={WHOLE_ID}"}],
            "reply_to_message": {"text": "4301 2419 3301 0112 34"},
        },
    }
    kept = json.dumps(without_id_numbers(update), ensure_ascii=False)
    assert WHOLE_ID not in kept and "4301 2419" not in kept
    assert "没有号码" in kept and kept.count(ID_PLACEHOLDER) == 3
    # Handled again after a restart, the placeholder is refused like the number itself.
    assert carries_id_number(ID_PLACEHOLDER)


def test_limits_count_per_person_and_window_and_tell_once() -> None:
    limits = PersonLimits(reports=2, actions=3)
    report = [Kind.REPORT, Kind.ACTION]
    assert limits.check(1, report, NOW).allowed
    assert limits.check(1, report, NOW + timedelta(minutes=1)).allowed
    refused = limits.check(1, report, NOW + timedelta(minutes=2))
    assert not refused.allowed and refused.tell and refused.kind is Kind.REPORT
    again = limits.check(1, report, NOW + timedelta(minutes=3))
    assert not again.allowed and not again.tell  # told once, not at every try
    assert limits.check(2, report, NOW).allowed  # someone else is counted apart
    # An hour after the first report, one more may be filed.
    assert limits.check(1, report, NOW + timedelta(minutes=61)).allowed


def test_the_action_limit_slides_and_zero_turns_a_limit_off() -> None:
    limits = PersonLimits(reports=0, actions=2)
    action = [Kind.ACTION]
    assert limits.check(7, action, NOW).allowed
    assert limits.check(7, action, NOW + timedelta(seconds=10)).allowed
    assert not limits.check(7, action, NOW + timedelta(seconds=20)).allowed
    assert limits.check(7, action, NOW + timedelta(seconds=61)).allowed
    unlimited = PersonLimits(reports=0, actions=0)
    assert all(unlimited.check(7, [Kind.REPORT], NOW).allowed for _ in range(100))
