"""Layers you can see: handlers and scheduled jobs never touch the database themselves — no
transaction, read or statement of their own; a use case owns its transaction, and a
caller's notices run inside it through `then` (services/effects.py). The import contracts
in pyproject.toml (lint-imports) keep the imports apart; this keeps the calls apart."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATABASE_CALL = re.compile(
    r"\bdb\.(transaction|reading|snapshot|atomically|execute|executemany|rowcount|fetchone|"
    r"fetchall|scalar|backup)\("
)


def test_handlers_and_jobs_never_open_a_transaction_or_run_sql() -> None:
    found = []
    for package in ("handlers", "scheduler"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if DATABASE_CALL.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_looks_for() -> None:
    assert DATABASE_CALL.search("        async with rt.db.transaction(quick=True):")
    assert DATABASE_CALL.search("    rows = await context.rt.db.fetchall(sql)")
    assert not DATABASE_CALL.search("    await filing.start(rt.db, rt.clock)")
