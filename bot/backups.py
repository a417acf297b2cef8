"""Backups that restore: scheduled copies with rotation, restore, and upgrades after a copy.

Backups are named by their UTC time (`gridbot-20260610T193000Z.sqlite3`); rotation keeps the
newest copy of each of the last `keep_daily` days, `keep_weekly` weeks and `keep_monthly`
months (counted in the town's zone). Copies made before a migration or a restore carry
another prefix and are never rotated away.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from bot.config import BackupSection, Config
from bot.runlock import RunLock
from bot.storage.backups import (
    BackupError,
    applied_versions,
    copy_database_file,
    integrity_problems,
)
from bot.storage.db import Database, migration_versions

log = logging.getLogger(__name__)

PREFIX = "gridbot-"
PRE_MIGRATE = "pre-migrate-"
STAMP = "%Y%m%dT%H%M%SZ"
SUFFIX = ".sqlite3"


def backup_name(when: datetime, prefix: str = PREFIX) -> str:
    """The file name of a backup made at `when`."""
    return f"{prefix}{when.astimezone(UTC).strftime(STAMP)}{SUFFIX}"


def backup_time(path: Path) -> datetime | None:
    """When a rotated backup was made, from its name (None for other files)."""
    name = path.name
    if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
        return None
    try:
        return datetime.strptime(name[len(PREFIX) : -len(SUFFIX)], STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def to_keep(stamps: list[datetime], tz: tzinfo, policy: BackupSection) -> set[datetime]:
    """The backups rotation keeps: the newest of each recent day, week and month."""
    newest_first = sorted(stamps, reverse=True)
    keep: set[datetime] = set(newest_first[:1])
    buckets = (
        (policy.keep_daily, lambda d: d.date()),
        (policy.keep_weekly, lambda d: d.isocalendar()[:2]),
        (policy.keep_monthly, lambda d: (d.year, d.month)),
    )
    for count, bucket in buckets:
        seen: set[object] = set()
        for stamp in newest_first:
            key = bucket(stamp.astimezone(tz))
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.add(key)
            keep.add(stamp)
    return keep


@dataclass(frozen=True)
class BackupDone:
    """A scheduled backup: the file written and the old ones rotated away."""

    path: Path
    size: int
    removed: tuple[Path, ...]


async def scheduled_backup(db: Database, config: Config, now: datetime) -> BackupDone:
    """Copy the live database into the backup folder and rotate the old copies."""
    folder = config.backup_folder()
    dest = folder / backup_name(now)
    await db.backup(dest)
    removed = rotate(folder, config.tz, config.backup)
    return BackupDone(dest, dest.stat().st_size, tuple(removed))


def newest_backup(folder: Path) -> datetime | None:
    """When the newest rotated backup in the folder was made (None: there is none)."""
    if not folder.is_dir():
        return None
    return max((stamp for path in folder.iterdir() if (stamp := backup_time(path))), default=None)


def rotate(folder: Path, tz: tzinfo, policy: BackupSection) -> list[Path]:
    """Delete the rotated backups the policy no longer keeps; return them."""
    found = {stamp: path for path in folder.iterdir() if (stamp := backup_time(path))}
    keep = to_keep(list(found), tz, policy)
    removed = [path for stamp, path in sorted(found.items()) if stamp not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def pending_migrations(database: Path) -> list[str]:
    """Migrations the database file still lacks (all of them for a file never migrated)."""
    done = applied_versions(database) if database.exists() else None
    return [name for version, name in migration_versions() if not done or version not in done]


def backup_before_migrating(config: Config, now: datetime) -> tuple[list[str], Path | None]:
    """The migrations pending, and a copy of the database when it holds data to protect."""
    database = Path(config.database.path)
    pending = pending_migrations(database)
    if not (pending and database.exists() and applied_versions(database) is not None):
        return pending, None
    copy = config.backup_folder() / backup_name(now, PRE_MIGRATE)
    copy_database_file(database, copy)
    log.info("backup before migrating: %s", copy.name)
    return pending, copy


async def migrate(config: Config, now: datetime) -> tuple[list[str], Path | None]:
    """Bring the schema up to date, after a backup when there is data to protect."""
    pending, copy = await asyncio.to_thread(backup_before_migrating, config, now)
    db = await Database.open(config.database.path)  # applies what is pending, atomically
    await db.close()
    return pending, copy


@dataclass(frozen=True)
class Restored:
    """A restore: where the previous database was put aside."""

    set_aside: Path | None


def restore(config: Config, backup: Path, now: datetime) -> Restored:
    """Put a backup in place of the database; refuses while the bot runs (its run lock).

    The current database (with its -wal and -shm files) is moved aside, not deleted.
    """
    problems = integrity_problems(backup) if backup.is_file() else ["no such file"]
    if problems:
        raise BackupError(f"{backup}: {'; '.join(problems[:3])}")
    database = Path(config.database.path)
    with RunLock(database):
        aside = None
        if database.exists():
            aside = database.with_name(f"{database.name}.before-restore-{now.strftime(STAMP)}")
            os.replace(database, aside)
            for extra in ("-wal", "-shm"):
                side = Path(f"{database}{extra}")
                if side.exists():
                    os.replace(side, Path(f"{aside}{extra}"))
        database.parent.mkdir(parents=True, exist_ok=True)
        partial = database.with_name(database.name + ".partial")
        shutil.copyfile(backup, partial)
        os.chmod(partial, 0o600)
        os.replace(partial, database)
    return Restored(aside)
