"""Read-only questions the preflight asks the database file (never through a running bot)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a database file (it is never created or changed)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def journal_mode(conn: sqlite3.Connection) -> str:
    """The file's journal mode ("wal" once the bot has opened it)."""
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()


def unit_count(conn: sqlite3.Connection) -> int:
    """Active units in the roster."""
    return int(conn.execute("SELECT COUNT(*) FROM units WHERE active = 1").fetchone()[0])


@dataclass(frozen=True)
class BoundGroup:
    """A group bound to a micro-grid, as the bot last knew it."""

    chat_id: int
    code: str
    name: str


def bound_groups(conn: sqlite3.Connection) -> list[BoundGroup]:
    """Active groups bound to an active micro-grid, by micro-grid code."""
    rows = conn.execute(
        "SELECT g.chat_id, u.code, u.name FROM groups g JOIN units u ON u.id = g.micro_grid_id "
        "WHERE g.active = 1 AND u.active = 1 ORDER BY u.code"
    ).fetchall()
    return [BoundGroup(int(r[0]), str(r[1]), str(r[2])) for r in rows]


@dataclass(frozen=True)
class Coverage:
    """Per village (or the town itself): staff not linked, micro-grids with no bound group."""

    code: str
    name: str
    unlinked_staff: int
    unbound_micro_grids: int


def coverage(conn: sqlite3.Connection) -> list[Coverage]:
    """Villages (and the town, and the county) with staff who never linked or micro-grids
    never bound."""
    unlinked = dict(
        conn.execute(
            "SELECT COALESCE(u.l2_id, u.l1_id, u.l0_id), COUNT(DISTINCT s.id) FROM staff s "
            "JOIN staff_units su ON su.staff_id = s.id JOIN units u ON u.id = su.unit_id "
            "WHERE s.active = 1 AND s.tg_user_id IS NULL GROUP BY 1"
        ).fetchall()
    )
    unbound = dict(
        conn.execute(
            "SELECT u.l2_id, COUNT(*) FROM units u WHERE u.level = 4 AND u.active = 1 "
            "AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.micro_grid_id = u.id "
            "AND g.active = 1) GROUP BY 1"
        ).fetchall()
    )
    ids = sorted(set(unlinked) | set(unbound))
    names = {
        int(r[0]): (str(r[1]), str(r[2]))
        for r in conn.execute("SELECT id, code, name FROM units WHERE level <= 2").fetchall()
    }
    return [
        Coverage(
            code=names.get(unit_id, ("?", "?"))[0],
            name=names.get(unit_id, ("?", "?"))[1],
            unlinked_staff=int(unlinked.get(unit_id, 0)),
            unbound_micro_grids=int(unbound.get(unit_id, 0)),
        )
        for unit_id in ids
    ]
