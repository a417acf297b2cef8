"""Backups: checked 0600 copies, rotation on a controllable clock, restore, migrations."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.backups import PRE_MIGRATE, backup_time, migrate, restore, scheduled_backup
from bot.clock import FakeClock
from bot.config import Config, config_from_dict
from bot.runlock import AlreadyRunning, RunLock
from bot.storage.backups import BackupError, applied_versions, integrity_problems
from bot.storage.db import Database, migration_versions


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return config_from_dict({"database": {"path": str(tmp_path / "data" / "grid.sqlite3")}})


async def _audit(db: Database, n: int) -> None:
    async with db.transaction():
        await db.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
            "VALUES (?, 'test', 'mark', 'x', ?)",
            (n, str(n)),
        )


async def test_daily_backups_rotate_to_days_weeks_and_months(config: Config) -> None:
    # 03:30 in Shanghai every day from 1 January to 10 June 2026 (a Wednesday).
    clock = FakeClock(datetime(2025, 12, 31, 19, 30, tzinfo=UTC))
    db = await Database.open(config.database.path)
    try:
        while clock.now() <= datetime(2026, 6, 9, 19, 30, tzinfo=UTC):
            done = await scheduled_backup(db, config, clock.now())
            clock.advance(timedelta(days=1))
    finally:
        await db.close()
    kept = sorted(
        stamp.astimezone(config.tz).strftime("%m-%d")
        for path in config.backup_folder().iterdir()
        if (stamp := backup_time(path))
    )
    # 7 days; the weeks ending 31 May and 24 May (7 June is a kept day); month ends.
    assert kept == [
        "01-31", "02-28", "03-31", "04-30", "05-24", "05-31",
        "06-04", "06-05", "06-06", "06-07", "06-08", "06-09", "06-10",
    ]  # fmt: skip
    assert done.path.name == "gridbot-20260609T193000Z.sqlite3"
    assert [p.name for p in done.removed] == ["gridbot-20260602T193000Z.sqlite3"]
    assert not list(config.backup_folder().glob("*.partial"))


async def test_a_backup_is_checked_complete_and_private(config: Config, tmp_path: Path) -> None:
    db = await Database.open(config.database.path)
    try:
        await _audit(db, 1)
        done = await scheduled_backup(db, config, datetime(2026, 6, 10, tzinfo=UTC))
    finally:
        await db.close()
    assert stat.S_IMODE(done.path.stat().st_mode) == 0o600
    assert integrity_problems(done.path) == []
    copy = sqlite3.connect(done.path)
    assert copy.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 1
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()


async def test_restore_keeps_the_current_file_aside(config: Config, tmp_path: Path) -> None:
    db = await Database.open(config.database.path)
    try:
        await _audit(db, 1)
        done = await scheduled_backup(db, config, datetime(2026, 6, 10, tzinfo=UTC))
        await _audit(db, 2)
    finally:
        await db.close()
    restored = restore(config, done.path, datetime(2026, 6, 11, tzinfo=UTC))
    assert restored.set_aside is not None
    aside = sqlite3.connect(restored.set_aside)
    assert aside.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 2
    aside.close()
    db = await Database.open(config.database.path)
    try:
        assert await db.scalar("SELECT COUNT(*) FROM audit_log") == 1
    finally:
        await db.close()


async def test_restore_refuses_while_the_bot_runs(config: Config) -> None:
    db = await Database.open(config.database.path)
    try:
        done = await scheduled_backup(db, config, datetime(2026, 6, 10, tzinfo=UTC))
    finally:
        await db.close()
    database = Path(config.database.path)
    before = database.read_bytes()  # noqa: ASYNC240
    with RunLock(database), pytest.raises(AlreadyRunning):
        restore(config, done.path, datetime(2026, 6, 11, tzinfo=UTC))
    assert database.read_bytes() == before  # noqa: ASYNC240
    assert not list(database.parent.glob("*.before-restore-*"))


def test_restore_refuses_a_broken_backup(config: Config, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    with pytest.raises(BackupError):
        restore(config, broken, datetime(2026, 6, 11, tzinfo=UTC))
    assert not Path(config.database.path).exists()


def _old_database(path: Path) -> None:
    """A database at the first schema version only, with one row in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    first = resources.files("bot.storage.migrations").joinpath(migration_versions()[0][1])
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL);"
        + first.read_text(encoding="utf-8")
        + f"INSERT INTO schema_migrations VALUES (1, '{migration_versions()[0][1]}', 'x');"
        "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
        "VALUES (1, 'a', 'b', 'c', 'd');"
    )
    conn.close()


async def test_migrate_backs_up_first_then_applies_everything(config: Config) -> None:
    database = Path(config.database.path)
    _old_database(database)
    applied, copy = await migrate(config, datetime(2026, 6, 10, tzinfo=UTC))
    assert applied == [name for _, name in migration_versions()[1:]]
    assert copy is not None and copy.name.startswith(PRE_MIGRATE)
    assert applied_versions(copy) == {1}
    assert applied_versions(database) == {v for v, _ in migration_versions()}
    assert await migrate(config, datetime(2026, 6, 11, tzinfo=UTC)) == ([], None)


def test_cli_migrate_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "grid.sqlite3"\n', encoding="utf-8")
    _old_database(tmp_path / "grid.sqlite3")
    assert main(["migrate", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "backup written first" in out and "applied: 0002" in out
    assert main(["migrate", "--config", str(config)]) == 0
    assert "up to date" in capsys.readouterr().out
    copy = next((tmp_path / "backups").glob(f"{PRE_MIGRATE}*"))
    with RunLock(tmp_path / "grid.sqlite3"):
        assert main(["restore", "--config", str(config), str(copy)]) == 1
        assert "stop it first" in capsys.readouterr().err
        assert main(["migrate", "--config", str(config)]) == 0  # nothing pending: no lock needed
    assert main(["restore", "--config", str(config), str(copy)]) == 0
    assert "kept as" in capsys.readouterr().out
    assert applied_versions(tmp_path / "grid.sqlite3") == {1}


async def test_a_failing_migration_applies_none(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.storage.db as db_module

    database = Path(config.database.path)
    _old_database(database)
    shipped = db_module._migrations()
    broken = (
        *shipped,
        (99, "0099_broken.sql", "CREATE TABLE half (a);\nINSERT INTO nowhere VALUES (1);"),
    )
    monkeypatch.setattr(db_module, "_migrations", lambda: list(broken))
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        await migrate(config, datetime(2026, 6, 10, tzinfo=UTC))
    assert applied_versions(database) == {1}
    conn = sqlite3.connect(database)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert "half" not in tables and "reports" not in tables
    assert next(config.backup_folder().glob(f"{PRE_MIGRATE}*")).exists()
