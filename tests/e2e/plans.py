"""Every query path is indexed: record the SQL statements a scenario runs and ask SQLite
how it plans each one; a statement that scans a table growing with use is a finding.

Plans are taken on a fresh database with the shipped schema and no statistics, as a
deployment's database is planned."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.storage import db as db_module
from bot.storage.db import migration_scripts

# Tables that grow with people, reports and time (a county: ~32k units, ~400k households,
# ~1M reports); a small fixed table (config-like, or one row per run) may be scanned.
GROWING = {
    "units", "staff", "households", "people", "groups", "group_members", "reports",
    "report_drafts", "report_attachments", "report_affected", "report_ratings",
    "report_supervisions", "report_urges", "case_events", "case_notices", "applied_presses",
    "contacts", "checkins", "household_drafts", "household_link_requests", "survey_responses",
    "survey_answers", "pension_requests", "inbox_updates", "outbox", "ledger", "audit_log",
    "invitations", "pending_questions", "flow_user_data", "flow_chat_data",
    "flow_conversations",
}  # fmt: skip
# Whole-table work by design, each with its reason.
ALLOWED = (
    # A roster import compares the whole roster with what is stored.
    r"^SELECT [\w, ]+ FROM (units|staff|households)$",
    # The persistence loads its conversations' scratch once at start (PTB's contract).
    r"^SELECT \w+ AS id, data FROM flow_(user|chat)_data$",
    # The walkthrough's own lookup of its micro-grid by name (the demo, not the bot).
    r"^SELECT code FROM units WHERE name = ",
)
SKIPPED = re.compile(
    r"^(--|(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE|CREATE|ALTER|DROP|EXPLAIN)\b)", re.I
)
TABLE_REFS = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.I)
KEYWORDS = {"WHERE", "ON", "SET", "JOIN", "LEFT", "GROUP", "ORDER", "LIMIT", "VALUES"}


def _tables_by_alias(statement: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for table, alias in TABLE_REFS.findall(statement):
        found.setdefault(table, table)
        if alias and alias.upper() not in KEYWORDS:
            found.setdefault(alias, table)
    return found


@contextmanager
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The statements run on every database connection opened meanwhile."""
    seen: set[str] = set()
    connect: Callable[..., Awaitable[Any]] = db_module.aiosqlite.connect

    async def traced(*args: Any, **kwargs: Any) -> Any:
        conn = await connect(*args, **kwargs)
        await conn.set_trace_callback(seen.add)
        return conn

    with monkeypatch.context() as patch:
        patch.setattr(db_module.aiosqlite, "connect", traced)
        yield seen


def scans(statements: set[str], schema: Path) -> list[tuple[str, str]]:
    """(table, statement) for each statement whose plan scans a growing table; `schema` is
    a database file with the shipped schema."""
    migrations = " ".join(" ".join(sql.split()) for sql in migration_scripts())
    folded = {" ".join(s.split()) for s in statements}
    found = []
    conn = sqlite3.connect(schema)
    try:
        for statement in sorted(folded):
            if SKIPPED.match(statement) or statement in migrations:
                continue  # a migration may rewrite a whole table, once
            if any(re.match(pattern, statement) for pattern in ALLOWED):
                continue
            try:
                plan = conn.execute("EXPLAIN QUERY PLAN " + statement).fetchall()
            except sqlite3.Error as exc:
                raise AssertionError(statement) from exc
            aliases = _tables_by_alias(statement)
            for *_, detail in plan:
                match = re.match(r"SCAN (\w+)(.*)", detail)
                if match is None or "USING" in match.group(2):
                    continue
                table = aliases.get(match.group(1), match.group(1))
                if table in GROWING:
                    found.append((table, statement[:300]))
    finally:
        conn.close()
    return found
