"""Noting a person and their group membership: one transaction in one hop, on real SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.storage import groups, people
from bot.storage.db import Database
from services.people import seen


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


async def _members(db: Database) -> list[tuple[Any, ...]]:
    rows = await db.fetchall("SELECT chat_id, tg_user_id, present FROM group_members ORDER BY 1")
    return [tuple(row) for row in rows]


async def test_a_person_and_a_known_groups_membership_in_one_hop(db: Database) -> None:
    async with db.transaction():
        await groups.upsert_group(db, -100, "M1", 1)
    units: list[str] = []
    atomically = db.atomically

    async def counted(work: Any, *args: Any) -> Any:
        units.append(getattr(work, "__name__", ""))
        return await atomically(work, *args)

    db.atomically = counted  # type: ignore[method-assign]
    await people.note_person(db, 7, "阿明", None, "zh-hans", 5, in_group=-100, left_group=-200)
    assert units == ["_note_person"]  # one unit of work (a quick one: no thread hop)
    # The group the bot does not know (-200) gets no row.
    assert await _members(db) == [(-100, 7, 1)]
    await people.note_person(db, 7, "阿明", "aming", "zh-hans", 6, left_group=-100)
    assert await _members(db) == [(-100, 7, 0)]
    row = await db.fetchone("SELECT display_name, username, started_bot FROM people")
    assert row is not None and tuple(row) == ("阿明", "aming", 0)


async def test_seen_writes_only_what_changed(db: Database) -> None:
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    async with db.transaction():
        await groups.upsert_group(db, -100, "M1", 1)
    await seen(db, clock, 7, "阿明", None, "zh-hans", started=True, in_group=-100)
    assert await _members(db) == [(-100, 7, 1)]
    await seen(db, clock, 7, "阿明", None, "zh-hans", left_group=-100)
    assert await _members(db) == [(-100, 7, 0)]
    # Seen again in the group: present again; having opened the bot is never forgotten.
    await seen(db, clock, 7, "阿明", None, "zh-hans", in_group=-100)
    assert await _members(db) == [(-100, 7, 1)]
    assert await people.has_started(db, 7)
