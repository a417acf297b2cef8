"""The outbox table on a real SQLite file: enqueue once, per-chat order, retry, give-up, prune."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import outbox as store
from bot.storage.db import Database
from models.outbox import Notice, Recipient

T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


def notice(key: str, chat_id: int = 1, fallback: Notice | None = None) -> Notice:
    return Notice(
        key,
        "sendMessage",
        chat_id,
        {"text": f"<b>{key}</b> 你好", "reply_markup": {"inline_keyboard": [[]]}},
        Recipient.STAFF,
        "report:7",
        3,
        fallback,
    )


async def test_a_notice_is_enqueued_once_per_key_and_read_back_whole(db: Database) -> None:
    mention = Notice("k:mention", "sendMessage", -5, {"text": "@x"}, Recipient.GROUP, "report:7")
    async with db.transaction():
        assert await store.enqueue(db, notice("k", fallback=mention), T0)
        assert not await store.enqueue(db, notice("k"), T0)
    [row] = await store.due(db, T0)
    assert row.notice == notice("k", fallback=mention)
    assert row.attempts == 0 and row.created_at == T0


async def test_a_chat_gets_its_notices_in_order_even_while_one_waits(db: Database) -> None:
    async with db.transaction():
        for key, chat in (("a1", 1), ("b1", 2), ("a2", 1)):
            await store.enqueue(db, notice(key, chat), T0)
    assert [r.notice.key for r in await store.due(db, T0)] == ["a1", "b1"]
    [a1, b1] = await store.due(db, T0)
    await store.retry(db, a1.id, T0 + timedelta(seconds=10), "network")
    await store.sent(db, b1.id, 55, T0)
    assert await store.due(db, T0) == []  # a2 waits behind a1
    assert await store.next_due(db) == T0
    [again] = await store.due(db, T0 + timedelta(seconds=10))
    assert again.notice.key == "a1" and again.attempts == 1
    await store.sent(db, again.id, 56, T0)
    assert [r.notice.key for r in await store.due(db, T0)] == ["a2"]


async def test_failed_notices_are_listed_by_subject_and_sent_ones_pruned(db: Database) -> None:
    async with db.transaction():
        await store.enqueue(db, notice("x"), T0)
        await store.enqueue(db, notice("y", 2), T0)
    x, y = await store.due(db, T0)
    await store.failed(db, x.id, "bad_request: chat not found", T0, True)
    await store.sent(db, y.id, 9, T0)
    [failed] = await store.failed_about(db, ["report:7", "report:8"])
    assert failed.error == "bad_request: chat not found" and failed.staff_id == 3
    assert failed.recipient is Recipient.STAFF and failed.at == T0
    assert await store.failed_about(db, ["report:8"]) == []
    assert len(await store.failed_since(db, T0, "report:")) == 1
    assert await store.prune(db, T0) == 0
    assert await store.prune(db, T0 + timedelta(seconds=1)) == 1
    assert await store.count(db, "failed") == 1 and await store.count(db, "sent") == 0
