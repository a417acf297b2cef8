"""The export reads a snapshot on its own connection: the bot's writes go on meanwhile, and
the export shows the records as they were when it began."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from bot.storage import export as store
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from bot.texts import Texts
from models.units import Unit
from services.export import export_all
from tests import town

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "grid.sqlite3")
    await apply_roster(database, town.test_town(), NOW)
    yield database
    await database.close()


def _names(sheets: list[Any]) -> dict[str, str]:
    units = next(s for s in sheets if s.name == "Units")
    return {row[0]: row[1] for row in units.rows}


async def test_writes_succeed_while_the_export_is_built(db, monkeypatch):
    original = store.units
    written: list[str] = []

    async def units_meanwhile(snapshot: Database, unit: Unit | None) -> Any:
        # Halfway through the export: the bot handles an update in another task …
        async def bot_writes() -> None:
            async with db.transaction():
                await db.execute("UPDATE units SET name = 'renamed by the bot' WHERE code = 'M1'")
            written.append("bot")

        task = asyncio.create_task(bot_writes(), context=contextvars.Context())
        await asyncio.wait_for(task, timeout=5)
        # … and another process writes without waiting at all for a lock.
        other = sqlite3.connect(db.path, timeout=0)
        try:
            other.execute("UPDATE units SET name = 'renamed elsewhere' WHERE code = 'M2'")
            other.commit()
        finally:
            other.close()
        written.append("other")
        return await original(snapshot, unit)

    monkeypatch.setattr(store, "units", units_meanwhile)
    sheets = await export_all(db, Config(), Texts().lang("en"))
    assert written == ["bot", "other"]
    # The export shows the town as it was when the export began.
    names = _names(sheets)
    assert (names["M1"], names["M2"]) == ("益家冲组", "渣塘冲组")
    assert await db.scalar("SELECT name FROM units WHERE code = 'M1'") == "renamed by the bot"


async def test_the_snapshot_cannot_write(db):
    async with db.snapshot() as snapshot:
        with pytest.raises(sqlite3.OperationalError):
            await snapshot.execute("DELETE FROM units")
    assert await db.scalar("SELECT COUNT(*) FROM units") > 0
