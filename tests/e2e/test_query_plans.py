"""Every query path is indexed: each statement the walkthrough runs (reports filed, moved,
escalated and confirmed; visits, reminders, the pension visit, the questionnaire, field work,
digests, the board) is planned by SQLite without scanning a table that grows with use. A
query added without its index fails here, not at county scale."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.demo import run_demo
from bot.storage import db as db_module
from bot.storage.db import migration_scripts

# Tables that grow with people, reports and time (a county: ~32k units, ~400k households,
# ~1M reports); a small fixed table (config-like, or one row per running process) may be
# scanned.
GROWING = {
    "units", "staff", "households", "people", "groups", "group_members", "reports",
    "report_drafts", "report_attachments", "report_affected", "report_ratings",
    "report_supervisions", "report_urges", "case_events", "case_notices", "applied_presses",
    "contacts", "checkins", "household_drafts", "household_link_requests", "survey_responses",
    "survey_answers", "pension_requests", "inbox_updates", "outbox", "ledger", "audit_log",
    "invitations", "pending_questions", "flow_user_data", "flow_chat_data",
    "flow_conversations",
}  # fmt: skip
# Whole-table work by design, named with its reason.
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


def _tables_by_alias(statement: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for table, alias in TABLE_REFS.findall(statement):
        found.setdefault(table, table)
        if alias and alias.upper() not in {"WHERE", "ON", "SET", "JOIN", "LEFT", "GROUP", "ORDER"}:
            found.setdefault(alias, table)
    return found


def _migration_statements() -> str:
    """Every migration's SQL, folded (a migration may rewrite a whole table once)."""
    return " ".join(" ".join(sql.split()) for sql in migration_scripts())


async def test_the_walkthrough_scans_no_growing_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: set[str] = set()
    connect: Callable[..., Awaitable[Any]] = db_module.aiosqlite.connect

    async def traced(*args: Any, **kwargs: Any) -> Any:
        conn = await connect(*args, **kwargs)
        await conn.set_trace_callback(seen.add)
        return conn

    monkeypatch.setattr(db_module.aiosqlite, "connect", traced)
    out = tmp_path / "demo"
    assert await run_demo(out) == 0
    capsys.readouterr()
    migrations = _migration_statements()
    statements = {" ".join(s.split()) for s in seen}
    statements = {s for s in statements if not SKIPPED.match(s) and s not in migrations}
    assert any(s.startswith("INSERT INTO reports") for s in statements), "reports were filed"
    conn = sqlite3.connect(out / "grid.sqlite3")
    scans = []
    try:
        for statement in sorted(statements):
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
                    scans.append((table, statement[:300]))
    finally:
        conn.close()
    assert not scans, "\n".join(f"{table}: {statement}" for table, statement in scans)
