"""The database layer: pragmas, migrations, transactions, reads, backup."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.storage.db import BUSY_TIMEOUT_MS, QUICK_COMMITS_PER_HOP, Database


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


def count_hops(db: Database) -> list[str]:
    """The work each hop to the database thread runs, by name, from now on."""
    hops: list[str] = []
    hop = db._hop

    async def counted(work: Any, *args: Any) -> Any:
        hops.append(getattr(work, "__name__", ""))
        return await hop(work, *args)

    db._hop = counted  # type: ignore[method-assign]
    return hops


_AUDIT = "INSERT INTO audit_log (at, actor, action, entity, entity_id) VALUES (?, 'a', ?, '', '')"


async def test_begin_goes_with_the_first_statement_and_holds_the_write_lock(
    db: Database, tmp_path: Path
) -> None:
    hops = count_hops(db)
    other = sqlite3.connect(tmp_path / "t.sqlite3", timeout=0)
    try:
        async with db.transaction():
            other.execute("BEGIN IMMEDIATE")  # nothing begun yet: no lock held
            other.execute("ROLLBACK")
            await db.execute(_AUDIT, (1, "first"))
            with pytest.raises(sqlite3.OperationalError):
                other.execute("BEGIN IMMEDIATE")  # begun with the insert: locked
            await db.execute(_AUDIT, (2, "second"))
        assert hops == ["_begun", "_execute", "_run"]  # the insert, the insert, COMMIT
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


def _thread_of(conn: sqlite3.Connection) -> int:
    return threading.get_ident()


async def test_a_quick_unit_makes_no_hop_to_the_database_thread(
    db: Database, tmp_path: Path
) -> None:
    hops = count_hops(db)
    other = sqlite3.connect(tmp_path / "t.sqlite3", timeout=0)
    try:
        async with db.transaction(quick=True):
            await db.execute(_AUDIT, (1, "first"))  # begins the transaction
            with pytest.raises(sqlite3.OperationalError):
                other.execute("BEGIN IMMEDIATE")  # begun: the write lock is held
            await db.execute(_AUDIT, (2, "second"))
            assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 2
            assert await db._on_thread(_thread_of) == threading.get_ident()
            async with db.reading():  # nested: as quick as the unit it joins
                assert await db.scalar("SELECT MAX(at) FROM audit_log") == 2
        assert hops == []
        assert other.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (2,)
        # The connection's settings are as they were.
        assert await db.scalar("PRAGMA busy_timeout") == BUSY_TIMEOUT_MS
        assert await db.scalar("PRAGMA wal_autocheckpoint") == 1000
        hops.clear()
        async with db.reading(quick=True):
            assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 2
        async with db.reading():  # not quick: every read goes to the thread
            assert await db._on_thread(_thread_of) != threading.get_ident()
        assert hops == ["_thread_of"]
        with pytest.raises(RuntimeError):
            async with db.transaction(quick=True):
                await db.execute(_AUDIT, (3, "third"))
                await db.execute(_AUDIT, (4, "fourth"))
                raise RuntimeError
        assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 2  # rolled back
        assert not db._in_transaction()
        other.execute("BEGIN IMMEDIATE")  # nothing left holding the lock
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_quick_unit_waits_for_the_write_lock_on_the_database_thread(
    db: Database, tmp_path: Path
) -> None:
    hops = count_hops(db)
    other = sqlite3.connect(tmp_path / "t.sqlite3", timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process writes

        async def write() -> None:
            async with db.transaction(quick=True):
                await db.execute(_AUDIT, (1, "first"))

        waiting = asyncio.create_task(write())
        await asyncio.sleep(0.1)
        assert not waiting.done()  # waiting on the database thread, the loop runs on
        assert hops == ["_begun"]
        other.execute("COMMIT")
        await waiting
        assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 1
        assert await db.scalar("PRAGMA busy_timeout") == BUSY_TIMEOUT_MS
    finally:
        other.close()


async def test_one_quick_commit_in_so_many_goes_to_the_database_thread(db: Database) -> None:
    hops = count_hops(db)
    for n in range(QUICK_COMMITS_PER_HOP + 1):
        async with db.transaction(quick=True):
            await db.execute(_AUDIT, (n, "x"))
    # The last one, where SQLite checkpoints the WAL when it has grown past its limit.
    assert hops == ["_run"]
    for n in range(QUICK_COMMITS_PER_HOP):
        await db.atomically(_insert_audit, n)
    assert hops == ["_run"]
    await db.atomically(_insert_audit, 99)
    assert hops == ["_run", "_run"]
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 2 * QUICK_COMMITS_PER_HOP + 2


def _insert_audit(conn: sqlite3.Connection, at: int) -> None:
    conn.execute(_AUDIT, (at, "y"))


async def test_a_quick_statement_waits_for_the_thread_to_be_free(db: Database) -> None:
    """Never two threads on the connection at once: while the database thread runs
    something, a quick unit's statement goes there too, after it."""
    release = threading.Event()
    order: list[str] = []

    def slow(conn: sqlite3.Connection) -> None:
        release.wait(5)
        order.append("slow")

    def quick(conn: sqlite3.Connection) -> int:
        order.append("quick")
        return threading.get_ident()

    async with db.transaction(quick=True):
        await db.execute(_AUDIT, (1, "first"))
        # Another task's read (outside the unit, holding no lock).
        busy = asyncio.create_task(db._on_thread(slow), context=contextvars.Context())
        await asyncio.sleep(0)  # it is sent to the thread
        waiting = asyncio.create_task(db._on_thread(quick))
        await asyncio.sleep(0.05)
        assert order == [] and not waiting.done()  # queued behind the slow one, not run here
        release.set()
        ran_on = await waiting
        await busy
    assert order == ["slow", "quick"] and ran_on != threading.get_ident()
    assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 1


@pytest.mark.parametrize("quick", [False, True])
async def test_a_task_started_inside_a_unit_does_not_join_a_later_one(
    db: Database, quick: bool
) -> None:
    """A task created inside a unit of work inherits that it was inside one; once that unit
    has ended, the task waits for the lock like any other, never slipping into the unit of
    work another task holds by then."""
    events: list[str] = []
    go = asyncio.Event()

    async def later() -> None:
        await go.wait()
        async with db.transaction(quick=quick):
            events.append("later in")
            await db.execute(_AUDIT, (2, "b"))

    async with db.transaction(quick=quick):
        task = asyncio.create_task(later())
        await db.execute(_AUDIT, (0, "z"))
    with pytest.raises(RuntimeError):
        async with db.transaction(quick=quick):
            await db.execute(_AUDIT, (1, "a"))
            go.set()
            for _ in range(5):
                await asyncio.sleep(0)  # let the other task run as far as it can
            events.append("first ends")
            raise RuntimeError("rolled back")
    await task
    assert events == ["first ends", "later in"]
    rows = await db.fetchall("SELECT action FROM audit_log WHERE at > 0 ORDER BY at")
    assert [r["action"] for r in rows] == ["b"]
