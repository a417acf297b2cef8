"""The SQLite connection: pragmas, migrations, transactions and online backup."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

# The unit of work (transaction or read) the current task is inside, for nested use. A task
# created inside a unit inherits it; once that unit has ended it names none (each unit is a
# new object), so such a task never joins a later unit it does not hold.
_owner: contextvars.ContextVar[object | None] = contextvars.ContextVar("db_owner", default=None)

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
# A quick COMMIT on the event loop's thread never checkpoints the WAL (that may take a
# while); one in this many goes to the database thread, where SQLite checkpoints when the
# WAL has grown past its limit (`wal_autocheckpoint`, as for every other COMMIT).
QUICK_COMMITS_PER_HOP = 50


def migration_versions() -> list[tuple[int, str]]:
    """(version, file name) of every migration shipped with the package, in order."""
    return [(version, name) for version, name, _ in _migrations()]


def migration_scripts() -> list[str]:
    """The SQL of every migration shipped with the package, in order."""
    return [sql for _, _, sql in _migrations()]


def _migrations() -> list[tuple[int, str, str]]:
    """Every migration shipped with the package, as (version, name, sql), in order."""
    found = []
    for entry in resources.files("bot.storage.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """One aiosqlite connection; writes are serialised through `transaction()`."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._unit: object | None = None  # the unit of work under way (see `_owner`)
        # Inside transaction(), until its first statement: that statement begins it.
        self._begin_pending = False
        # Inside a quick unit of work (see `transaction`).
        self._quick = False
        # Work sent to the database thread, and work it has finished (each counted by one
        # thread only): while they differ, the thread may be using the connection.
        self._sent = 0
        self._finished = 0
        # Quick COMMITs since the last one on the database thread.
        self._quick_commits = 0
        # The same file opened read-only, for snapshots (none for an in-memory database).
        self._read_only_uri = (
            None if path == ":memory:" else Path(path).absolute().as_uri() + "?mode=ro"
        )

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating if needed) the database file and bring its schema up to date."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Personal data: the file (and the -wal and -shm files SQLite makes alike) is
            # the owner's alone.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        # A quick unit runs statements on the event loop's thread too, never at the same time
        # as the database thread (see `_on_thread`).
        conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA synchronous=NORMAL",
            f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
        ):
            await conn.execute(pragma)
        db = cls(conn, path)
        try:
            await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()

    async def migrate(self) -> list[str]:
        """Apply every migration not yet applied, all in one transaction (all or none)."""
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        rows = await self._conn.execute_fetchall("SELECT version FROM schema_migrations")
        done = {row[0] for row in rows}
        pending = [m for m in _migrations() if m[0] not in done]
        if not pending:
            return []
        script = "".join(
            f"{sql}\nINSERT INTO schema_migrations VALUES ({version}, '{name}', datetime('now'));\n"
            for version, name, sql in pending
        )
        # executescript commits first; the script's own BEGIN/COMMIT keeps it atomic.
        try:
            await self._conn.executescript("BEGIN;\n" + script + "COMMIT;")
        except sqlite3.Error:
            if self._conn._conn is not None and self._conn._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
            raise
        applied = [name for _, name, _ in pending]
        log.info("applied migrations %s", ", ".join(applied))
        return applied

    @asynccontextmanager
    async def transaction(self, quick: bool = False) -> AsyncIterator[Database]:
        """Run a unit of work atomically; nested use joins the outer transaction.

        BEGIN goes to the database thread together with the unit's first statement (one hop
        fewer; a unit that runs none costs nothing); the lock taken here keeps every other
        unit of work out from the start, so nothing runs between the two.

        `quick`: every statement of the unit is short (an update's own reads and writes,
        no scan), so they run on the event loop's thread, without a hop each, whenever the
        database thread is idle. Only what may take long goes there: BEGIN when another
        connection holds the write lock (it waits for it there), and one COMMIT in
        `QUICK_COMMITS_PER_HOP` (it may checkpoint the WAL). Nested units follow the
        outermost one."""
        if self._holds():
            yield self
            return
        async with self._lock:
            token = self._enter()
            self._begin_pending = True
            self._quick = quick
            try:
                yield self
            except BaseException:
                self._begin_pending = False
                if self._in_transaction():
                    await self._end("ROLLBACK")
                raise
            else:
                self._begin_pending = False
                if self._in_transaction():
                    await self._end("COMMIT")
            finally:
                self._begin_pending = False
                self._quick = False
                self._leave(token)

    def _holds(self) -> bool:
        """Whether the current task is inside the unit of work under way."""
        return self._unit is not None and _owner.get() is self._unit

    def _enter(self) -> contextvars.Token[object | None]:
        """Begin a unit of work for the current task (the lock is held)."""
        self._unit = object()
        return _owner.set(self._unit)

    def _leave(self, token: contextvars.Token[object | None]) -> None:
        self._unit = None
        _owner.reset(token)

    def _in_transaction(self) -> bool:
        conn = self._conn._conn
        return conn is not None and conn.in_transaction

    async def atomically(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(connection, *args)` as one transaction: for small, hot units of work (a
        few statements, no awaits between them), run as a quick unit (see `transaction`),
        else in a single hop to the database thread."""
        if self._holds():
            return await self._on_thread(work, *args)
        async with self._lock:
            conn = self._conn._conn
            if self._idle() and _begin_now(conn):
                try:
                    result = work(conn, *args)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                await self._end("COMMIT", quick=True)
                return result
            return await self._hop(_atomic, work, args)

    @asynccontextmanager
    async def reading(self, quick: bool = False) -> AsyncIterator[Database]:
        """Read without a write transaction: no other unit of work runs meanwhile, so
        every read sees committed data (inside a transaction, it joins it). `quick`: only
        short reads, run on the event loop's thread (see `transaction`)."""
        if self._holds():
            yield self
            return
        async with self._lock:
            token = self._enter()
            self._quick = quick
            try:
                yield self
            finally:
                self._quick = False
                self._leave(token)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Database]:
        """A read-only view of the committed data as of its first read, on a connection of
        its own: in WAL mode the bot's writes go on meanwhile, and neither waits for the other.
        """
        if self._read_only_uri is None:  # in memory: one connection, read under the lock
            async with self.reading() as db:
                yield db
            return
        conn = await aiosqlite.connect(
            self._read_only_uri, uri=True, isolation_level=None, check_same_thread=False
        )
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA busy_timeout=5000")
            view = Database(conn, self.path)
            # A deferred read transaction: its first read fixes the snapshot, here and now.
            await conn.execute("BEGIN")
            await conn.execute("SELECT COUNT(*) FROM schema_migrations")
            try:
                # Within the snapshot, transaction() and reading() join it (and cannot write).
                async with view.reading():
                    yield view
            finally:
                await conn.execute("ROLLBACK")
        finally:
            await conn.close()

    async def _on_thread(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(connection, *args)` on the database thread: one hop per statement (in a
        quick unit of this task, on this thread while the database thread is idle)."""
        # aiosqlite's public cursor API costs two or three thread hops per statement
        # (execute, fetch, close); doing the whole statement in one hop keeps updates cheap.
        if self._holds():
            conn = self._conn._conn
            if self._begin_pending:
                # The first statement of the transaction() this task holds: it begins it.
                self._begin_pending = False
                if self._quick and self._idle() and _begin_now(conn):
                    return work(conn, *args)
                return await self._hop(_begun, work, args)
            if self._quick and self._idle():
                return work(conn, *args)
        return await self._hop(work, *args)

    def _idle(self) -> bool:
        """Whether the database thread has finished everything sent to it: until more is
        sent (which only this thread does), the connection is this thread's."""
        return self._sent == self._finished

    async def _end(self, sql: str, quick: bool | None = None) -> None:
        """COMMIT or ROLLBACK the transaction this task holds."""
        quick = self._quick if quick is None else quick
        if quick and self._idle():
            conn = self._conn._conn
            if sql == "ROLLBACK":
                conn.execute(sql)
                return
            if self._quick_commits < QUICK_COMMITS_PER_HOP:
                self._quick_commits += 1
                _commit_without_checkpoint(conn)
                return
        if sql == "COMMIT":
            self._quick_commits = 0
        await self._hop(_run, sql)

    async def _hop(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(connection, *args)` on the database thread, counted there when done."""

        def counted(conn: sqlite3.Connection) -> T:
            try:
                return work(conn, *args)
            finally:
                self._finished += 1  # on the database thread, once it is done with `conn`

        self._sent += 1
        return await self._conn._execute(counted, self._conn._conn)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the last row id (inserts) or the row count."""
        return await self._on_thread(_execute, sql, params)

    async def rowcount(self, sql: str, params: Params = ()) -> int:
        """Run one statement and return how many rows it changed."""
        return await self._on_thread(_rowcount, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows (one hop)."""
        await self._on_thread(_executemany, sql, list(rows))

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a query."""
        return await self._on_thread(_fetchall, sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        return await self._on_thread(_fetchone, sql, params)

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def backup(self, dest: str | Path) -> None:
        """Copy the live database to `dest` with SQLite's online backup, checked and 0600."""
        from bot.storage.backups import copy_database

        # Outside any unit of work, so the copy holds committed data only; aiosqlite runs the
        # call on its own thread, where the sqlite3 connection lives.
        async with self.reading():
            await self._hop(copy_database, Path(dest))


def _atomic(conn: sqlite3.Connection, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _begin_now(conn: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE if the write lock is free now; False (nothing begun) when another
    connection holds it: then the transaction begins on the database thread, waiting."""
    conn.execute("PRAGMA busy_timeout=0")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return True


def _commit_without_checkpoint(conn: sqlite3.Connection) -> None:
    """COMMIT without SQLite's automatic WAL checkpoint (left to a COMMIT on the database
    thread)."""
    limit = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA wal_autocheckpoint=0")
    try:
        conn.execute("COMMIT")
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint={int(limit)}")


def _begun(conn: sqlite3.Connection, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    """Begin the transaction, then run its first statement."""
    conn.execute("BEGIN IMMEDIATE")
    return work(conn, *args)


def _run(conn: sqlite3.Connection, sql: str) -> None:
    conn.execute(sql).close()


def _executemany(conn: sqlite3.Connection, sql: str, rows: list[Params]) -> None:
    conn.executemany(sql, rows).close()


def _execute(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cur = conn.execute(sql, params)
    result = cur.lastrowid if sql.lstrip()[:6].upper() == "INSERT" else cur.rowcount
    cur.close()
    return int(result or 0)


def _rowcount(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cur = conn.execute(sql, params)
    count = cur.rowcount
    cur.close()
    return count


def _fetchall(conn: sqlite3.Connection, sql: str, params: Params) -> list[sqlite3.Row]:
    cur = conn.execute(sql, params)
    rows = cur.fetchall()
    cur.close()
    return rows


def _fetchone(conn: sqlite3.Connection, sql: str, params: Params) -> sqlite3.Row | None:
    cur = conn.execute(sql, params)
    row: sqlite3.Row | None = cur.fetchone()
    cur.close()
    return row
