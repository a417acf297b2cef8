"""The send-once ledger on a real SQLite file: recorded once per kind, period and recipient;
claimed before sending; interrupted sends never resent; expiry; counts; the migration that
moved the three old ledgers into it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import to_ts
from bot.storage import ledger as store
from bot.storage.db import Database, _migrations
from bot.storage.ledger import Planned
from bot.storage.metrics import notices_by_status

T0 = to_ts(datetime(2026, 6, 20, 2, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


def to(chat: int, **fields: object) -> Planned:
    return Planned(recipient=f"chat:{chat}", chat_id=chat, payload={"n": chat}, **fields)  # type: ignore[arg-type]


async def test_each_recipient_is_recorded_once_per_kind_and_period(db: Database) -> None:
    async with db.transaction():
        first = await store.record(db, "reminder:pension", "2026-06-01T09:00", [to(1), to(2)], T0)
        again = await store.record(
            db, "reminder:pension", "2026-06-01T09:00", [to(1), to(2), to(3)], T0
        )
        other = await store.record(db, "reminder:pension", "2026-07-01T09:00", [to(1)], T0)
        unlinked = await store.record(
            db, "digest:daily", "2026-06-19", [Planned(recipient="staff:9/unit:4")], T0
        )
    assert [e.chat_id for e in first] == [1, 2] and first[0].payload == {"n": 1}
    assert [e.chat_id for e in again] == [3]  # only the one not recorded before
    assert [e.period_key for e in other] == ["2026-07-01T09:00"]
    [row] = unlinked
    assert (row.status, row.error, row.done_at) == ("failed", "not_linked", T0)
    assert {e.status for e in first + again + other} == {"pending"}


async def test_claim_marks_sending_and_another_process_leftovers_become_unknown(
    db: Database,
) -> None:
    async with db.transaction():
        await store.record(db, "digest:daily", "2026-06-19", [to(1), to(2), to(3)], T0)
        await store.record(db, "digest:weekly", "2026-W24", [to(1)], T0)
        await store.record(db, "digest:daily", "2026-06-18", [to(4)], T0)
        taken = await store.claim(db, ["digest:daily"], "p1", T0 + 5, 2, "2026-06-19")
        rest = await store.claim(db, ["digest:daily"], "p2", T0 + 6, None, "2026-06-19")
        assert [e.chat_id for e in taken] == [1, 2] and [e.chat_id for e in rest] == [3]
        assert await store.claim(db, ["digest:daily"], "p2", T0, None, "2026-06-19") == []
        await store.mark_sent(db, taken[0].id, T0 + 7, message_id=55)
        await store.mark_retry(db, taken[1].id, "network")
        # p1 stopped; p2 recovers: its own row stays, none is sent again.
        assert await store.orphans_to_unknown(db, "p2") == 0
        assert await store.orphans_to_unknown(db, "p3", "digest:weekly") == 0  # another kind
        assert await store.orphans_to_unknown(db, "p3", "digest:daily") == 1
    by_chat = {e.chat_id: e for e in await store.entries(db, "digest:daily", "2026-06-19")}
    assert (by_chat[1].status, by_chat[1].message_id, by_chat[1].done_at) == ("sent", 55, T0 + 7)
    assert (by_chat[2].status, by_chat[2].error, by_chat[2].attempts) == ("pending", "network", 1)
    assert by_chat[3].status == "unknown"
    assert (await store.counts(db, "digest:weekly")) == {"pending": 1}


async def test_pending_rows_expire_when_their_period_is_over(db: Database) -> None:
    async with db.transaction():
        await store.record(db, "reminder:weekly_checkin", "w24", [to(1)], T0, expires_at=T0 + 10)
        await store.record(db, "announcement:3", "", [to(2)], T0)
        assert await store.expire(db, T0 + 9) == 0
        assert await store.expire(db, T0 + 10) == 1
        assert await store.claim(db, ["reminder:weekly_checkin"], "p", T0, None) == []
        [waiting] = await store.claim(db, ["announcement:3"], "p", T0 + 11, None)  # no end
        await store.mark_failed(db, waiting.id, "gone", T0 + 11)
        assert [e.chat_id for e in await store.failed_with(db, "announcement:3", "gone")] == [2]
    [expired] = await store.entries(db, "reminder:weekly_checkin")
    assert expired.status == "expired"
    counts = await notices_by_status(db)
    assert counts[("reminder", "expired")] == 1 and counts[("announcement", "failed")] == 1


def _old_database(path: Path) -> None:
    """A database as it was before the ledger, with a row in each old ledger."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    for version, name, sql in _migrations():
        if version < 13:
            conn.executescript(sql)
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, datetime('now'))", (version, name)
            )
    conn.executescript(
        """
        INSERT INTO units (id, code, name, level, created_at, updated_at)
            VALUES (1, 'T', 'T', 1, 0, 0);
        INSERT INTO staff (id, code, name, phone, level, tg_user_id, created_at, updated_at)
            VALUES (7, 'C1', '刘建国', '1', 1, 700, 0, 0);
        INSERT INTO reminder_runs VALUES ('weekly_checkin', '2026-06-12T09:00', '2026-W24', 1, 2);
        INSERT INTO reminder_sends (kind, occurrence, period, recipient, staff_id, chat_id,
            payload, status, created_at)
            VALUES ('weekly_checkin', '2026-06-12T09:00', '2026-W24', 'staff:7', 7, 700,
                    '{"grids": ["G1"]}', 'pending', 1781053200),
                   ('monthly_contact', '2026-06-20T10:00', '2026-06', 'staff:7', 7, 700,
                    '{"count": 1}', 'sent', 1781920800),
                   ('quarterly_visit', '2026-06-01T09:00', '2026-Q2', 'staff:7', 7, 700,
                    '{}', 'pending', 1780275600);
        INSERT INTO digest_sends VALUES ('daily', '2026-06-10', 7, 1, 'sent', '', 10, 11),
                                        ('assessment', '2026-05', 7, 1, 'pending', '', 12, NULL);
        INSERT INTO announcements (id, unit_id, staff_id, chat_id, status, created_at, queued_at)
            VALUES (3, 1, 7, 700, 'running', 20, 21);
        INSERT INTO announcement_targets
            VALUES (3, -100, 'sent', '', 22), (3, -101, 'pending', '', NULL);
        """
    )
    conn.commit()
    conn.close()


async def test_the_migration_moves_the_old_ledgers_over(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old_database(path)
    db = await Database.open(path)
    try:
        rows = await db.fetchall(
            "SELECT kind, period_key, recipient, chat_id, status, payload, expires_at, unit_id, "
            "done_at FROM ledger ORDER BY id"
        )
        got = [tuple(r) for r in rows]
        shanghai_ends = {  # UTC midnight after each period: the old rows carry no zone
            "2026-W24": to_ts(datetime(2026, 6, 15, tzinfo=UTC)),
            "2026-Q2": to_ts(datetime(2026, 7, 1, tzinfo=UTC)),
            "2026-06": to_ts(datetime(2026, 7, 1, tzinfo=UTC)),
        }
        assert got == [
            (
                "reminder:weekly_checkin",
                "2026-06-12T09:00",
                "staff:7",
                700,
                "pending",
                '{"grids":["G1"],"period":"2026-W24"}',
                shanghai_ends["2026-W24"],
                None,
                None,
            ),
            (
                "reminder:monthly_contact",
                "2026-06-20T10:00",
                "staff:7",
                700,
                "sent",
                '{"count":1,"period":"2026-06"}',
                shanghai_ends["2026-06"],
                None,
                None,
            ),
            (
                "reminder:quarterly_visit",
                "2026-06-01T09:00",
                "staff:7",
                700,
                "pending",
                '{"period":"2026-Q2"}',
                shanghai_ends["2026-Q2"],
                None,
                None,
            ),
            ("digest:daily", "2026-06-10", "staff:7/unit:1", 700, "sent", "{}", None, 1, 11),
            # Claimed and interrupted: never sent again.
            ("digest:assessment", "2026-05", "staff:7/unit:1", 700, "unknown", "{}", None, 1, None),
            ("announcement:3", "", "chat:-101", -101, "pending", "{}", None, None, None),
            ("announcement:3", "", "chat:-100", -100, "sent", "{}", None, None, 22),
        ]
        old = await db.fetchall(
            "SELECT name FROM sqlite_master WHERE name IN ('reminder_runs', 'reminder_sends', "
            "'digest_sends', 'announcement_targets')"
        )
        assert old == []
    finally:
        await db.close()
