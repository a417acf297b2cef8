"""The preflight's checks of the database file, each with its advice."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.config import config_from_dict
from bot.doctor.findings import Advice, Verdict
from bot.doctor.local import database_findings, font_findings
from bot.storage.db import migration_versions
from bot.texts import Texts
from tests.unit.test_backups import _old_database


def _say(config_path: Path) -> Advice:
    return Advice(Texts().lang("en"), {"config": config_path})


def test_an_old_database_is_named_with_its_fixes(tmp_path: Path) -> None:
    database = tmp_path / "grid.sqlite3"
    _old_database(database)
    os.chmod(database, 0o644)
    config = config_from_dict({"database": {"path": str(database)}})
    found = database_findings(config, _say(tmp_path / "c.toml"))
    pending = [name for _, name in migration_versions()[1:]]
    assert [(f.verdict, f.text, f.fix) for f in found] == [
        (
            Verdict.WARN,
            f"The database lacks {len(pending)} migration(s): {', '.join(pending)}.",
            "they are applied at the next start after an automatic backup, or now (bot "
            f"stopped): gridbot migrate --config {tmp_path / 'c.toml'}",
        ),
        (
            Verdict.WARN,
            "The database is not in WAL mode (journal mode: delete).",
            "start the bot once: it switches the file to WAL.",
        ),
        (
            Verdict.WARN,
            "The database file can be read by other users (mode 644).",
            f"chmod 600 {database}",
        ),
        (
            Verdict.FAIL,
            "The database holds no units: the roster was never imported.",
            f"import the roster first: gridbot import-roster --config {tmp_path / 'c.toml'} "
            "ROSTER.xlsx",
        ),
    ]


def test_a_database_from_a_newer_version_blocks(tmp_path: Path) -> None:
    database = tmp_path / "grid.sqlite3"
    _old_database(database)
    conn = sqlite3.connect(database)
    conn.execute("INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x')")
    conn.commit()
    conn.close()
    config = config_from_dict({"database": {"path": str(database)}})
    found = database_findings(config, _say(tmp_path / "c.toml"))
    newest = migration_versions()[-1][0]
    assert (found[0].verdict, found[0].text, found[0].fix) == (
        Verdict.FAIL,
        f"The database was written by a newer gridbot (schema 999; this version knows up to "
        f"{newest}).",
        "install the newer gridbot again, or restore a backup made before the upgrade.",
    )


def test_a_missing_chart_font_is_a_warning(tmp_path: Path) -> None:
    missing = tmp_path / "font.otf"
    config = config_from_dict({"cadre": {"digest": {"chart_font": str(missing)}}})
    [found] = font_findings(config, _say(tmp_path / "c.toml"))
    assert (found.verdict, found.text) == (Verdict.WARN, f"The chart font is missing: {missing}")
    assert found.fix is not None and "chart = false" in found.fix
    off = config_from_dict({"cadre": {"digest": {"chart": False, "chart_font": str(missing)}}})
    assert font_findings(off, _say(tmp_path / "c.toml"))[0].verdict is Verdict.OK
