"""The database layer: pragmas, migrations, transactions, reads, backup."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.storage.db import Database


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


async def test_pragmas_and_migrations_are_idempotent(db: Database, tmp_path: Path) -> None:
    assert await db.scalar("PRAGMA journal_mode") == "wal"
    assert await db.scalar("PRAGMA foreign_keys") == 1
    versions = [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations")]
    assert versions == sorted(versions) and versions[0] == 1
    assert await db.migrate() == []


async def test_a_failed_unit_of_work_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
                "VALUES (1, 'a', 'b', 'c', 'd')"
            )
            raise RuntimeError
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 0


async def test_nested_transactions_join_the_outer_one(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            async with db.transaction():
                await db.execute(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
                    "VALUES (1, 'a', 'b', 'c', 'd')"
                )
            async with db.reading():
                assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 1
            raise RuntimeError
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 0


async def test_reads_wait_for_a_unit_of_work_in_progress(db: Database) -> None:
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await db.execute(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
                "VALUES (1, 'a', 'b', 'c', 'd')"
            )
            inside.set()
            await release.wait()
            await db.execute(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
                "VALUES (2, 'a', 'b', 'c', 'd')"
            )

    async def reader() -> int:
        await inside.wait()
        async with db.reading():
            return int(await db.scalar("SELECT COUNT(*) FROM audit_log"))

    task = asyncio.create_task(writer())
    read = asyncio.create_task(reader())
    await inside.wait()
    release.set()
    await task
    assert await read == 2  # never the half-done state


async def test_statement_helpers(db: Database) -> None:
    async with db.transaction():
        first = await db.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
            "VALUES (1, 'a', 'b', 'c', 'd')"
        )
        changed = await db.rowcount("UPDATE audit_log SET actor = 'x' WHERE id = ?", (first,))
        row = await db.fetchone("SELECT actor FROM audit_log WHERE id = ?", (first,))
        missing = await db.fetchone("SELECT actor FROM audit_log WHERE id = 999")
    assert first == 1 and changed == 1 and row["actor"] == "x" and missing is None


async def test_online_backup(db: Database, tmp_path: Path) -> None:
    async with db.transaction():
        await db.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
            "VALUES (1, 'a', 'b', 'c', 'd')"
        )
    await db.backup(tmp_path / "copy" / "b.sqlite3")
    copy = sqlite3.connect(tmp_path / "copy" / "b.sqlite3")
    assert copy.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (1,)
    copy.close()


async def test_an_atomic_unit_in_one_hop_commits_or_leaves_nothing(db: Database) -> None:
    def add(conn: sqlite3.Connection, value: str, fail: bool) -> int:
        conn.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
            "VALUES (1, 'a', ?, '', '')",
            (value,),
        )
        if fail:
            raise sqlite3.IntegrityError("on purpose")
        return 1

    assert await db.atomically(add, "kept", False) == 1
    with pytest.raises(sqlite3.IntegrityError):
        await db.atomically(add, "gone", True)
    actions = [r[0] for r in await db.fetchall("SELECT action FROM audit_log")]
    assert actions == ["kept"]
    # Inside a transaction it joins it, and goes with it.
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.atomically(add, "joined", False)
            raise RuntimeError
    assert [r[0] for r in await db.fetchall("SELECT action FROM audit_log")] == ["kept"]


_AUDIT = "INSERT INTO audit_log (at, actor, action, entity, entity_id) VALUES (?, 'a', ?, '', '')"


async def test_begin_goes_with_the_first_statement_and_holds_the_write_lock(
    db: Database, tmp_path: Path
) -> None:
    hops: list[str] = []
    on_thread = db._on_thread

    async def counted(work: Any, *args: Any) -> Any:
        hops.append(getattr(work, "__name__", ""))
        return await on_thread(work, *args)

    db._on_thread = counted  # type: ignore[method-assign]
    other = sqlite3.connect(tmp_path / "t.sqlite3", timeout=0)
    try:
        async with db.transaction():
            other.execute("BEGIN IMMEDIATE")  # nothing begun yet: no lock held
            other.execute("ROLLBACK")
            await db.execute(_AUDIT, (1, "first"))
            with pytest.raises(sqlite3.OperationalError):
                other.execute("BEGIN IMMEDIATE")  # begun with the insert: locked
            await db.execute(_AUDIT, (2, "second"))
        assert hops == ["_execute", "_execute", "_run"]  # the insert, the insert, COMMIT
        assert other.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (2,)
        hops.clear()
        async with db.transaction():
            pass  # no statement: no hop, no transaction left open
        with pytest.raises(RuntimeError):
            async with db.transaction():
                raise RuntimeError
        assert hops == []
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_failed_first_statement_still_rolls_the_unit_back(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction():
            await db.execute(_AUDIT, (1, None))  # action is NOT NULL
    assert not db._in_transaction()
    with pytest.raises(RuntimeError):
        async with db.transaction():
            with contextlib.suppress(sqlite3.IntegrityError):
                await db.execute(_AUDIT, (1, None))
            await db.execute(_AUDIT, (2, "undone"))
            raise RuntimeError
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 0
    assert not db._in_transaction()


async def test_another_tasks_statement_does_not_begin_a_held_transaction(db: Database) -> None:
    entered, done = asyncio.Event(), asyncio.Event()

    async def unit() -> None:
        async with db.transaction():
            entered.set()
            await done.wait()
            await db.execute(_AUDIT, (1, "undone"))
            raise RuntimeError

    holder = asyncio.create_task(unit())
    await entered.wait()
    # A statement outside any unit of work (no lock) while the unit's BEGIN is pending.
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 0
    assert not db._in_transaction()
    done.set()
    with pytest.raises(RuntimeError):
        await holder
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 0
    assert not db._in_transaction()


async def test_executemany_belongs_to_its_transaction(db: Database) -> None:
    rows = [(i, f"a{i}") for i in range(3)]
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.executemany(_AUDIT, rows)
            raise RuntimeError
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 0
    async with db.transaction():
        await db.executemany(_AUDIT, rows)
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 3
