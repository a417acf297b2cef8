"""SQLite-level backup work: online copies, integrity checks, schema versions of a file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class BackupError(Exception):
    """A copy could not be made or does not pass SQLite's integrity check."""


def integrity_problems(path: Path) -> list[str]:
    """What `PRAGMA integrity_check` finds in a database file (empty: it is sound)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def copy_database(source: sqlite3.Connection, dest: Path) -> None:
    """Copy a live database to `dest` (online backup API): written beside it, checked,
    readable by the owner only, then renamed into place so `dest` is never half-written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        # The copy stands alone: no -wal file next to it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    problems = integrity_problems(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {'; '.join(problems[:3])}")
    os.chmod(partial, 0o600)
    os.replace(partial, dest)


def copy_database_file(source: Path, dest: Path) -> None:
    """Copy a database file that no process of ours has open (before a migration, restore)."""
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        copy_database(conn, dest)
    finally:
        conn.close()


def applied_versions(path: Path) -> set[int] | None:
    """The migration versions recorded in a database file (None: no schema table yet)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT version FROM schema_migrations").fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return {int(row[0]) for row in rows}


def count_rows(path: Path, table: str) -> int:
    """How many rows a table of a database file holds (for restore summaries)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()
