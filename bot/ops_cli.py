"""The command line's operations tasks: migrate, restore, install the service."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.backups import migrate, pending_migrations, restore
from bot.clock import SystemClock
from bot.config import Config
from bot.deploy.unit import UnitSettings, render_unit
from bot.runlock import AlreadyRunning, RunLock
from bot.storage.backups import BackupError, count_rows


def migrate_command(config: Config) -> int:
    """Apply pending migrations (after a backup); refuses while the bot runs."""
    database = Path(config.database.path)
    if not pending_migrations(database):
        print(f"{database}: the schema is up to date")
        return 0
    try:
        with RunLock(database):
            applied, copy = asyncio.run(migrate(config, SystemClock().now()))
    except AlreadyRunning as exc:
        print(f"error: stop the bot first ({exc})", file=sys.stderr)
        return 1
    if copy is not None:
        print(f"backup written first: {copy}")
    print(f"applied: {', '.join(applied)}")
    return 0


def restore_command(config: Config, backup: Path) -> int:
    """Put a backup in place of the database; the current file is kept aside."""
    try:
        done = restore(config, backup, SystemClock().now())
    except AlreadyRunning as exc:
        print(f"error: the bot is running; stop it first ({exc})", file=sys.stderr)
        return 1
    except BackupError as exc:
        print(f"error: not a sound backup, nothing changed: {exc}", file=sys.stderr)
        return 1
    database = Path(config.database.path)
    if done.set_aside is not None:
        print(f"the previous database is kept as {done.set_aside}")
    print(f"restored {backup} to {database} ({count_rows(database, 'reports')} reports)")
    print("start the bot again; pending migrations are applied at start")
    return 0


def install_service(
    config: Config,
    config_path: Path,
    output: Path,
    user: str,
    env_file: Path,
    webhook: bool = False,
) -> int:
    """Write the systemd unit for this configuration and print the remaining steps."""
    settings = UnitSettings(
        config_path=config_path, user=user, group=user, env_file=env_file, webhook=webhook
    )
    text = render_unit(config, settings)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except PermissionError:
        print(f"error: cannot write {output} (run with sudo, or pass --output)", file=sys.stderr)
        return 1
    data = Path(config.database.path).resolve().parent
    print(f"written: {output}")
    print("next:")
    print(f"  sudo useradd --system --home-dir {data} --shell /usr/sbin/nologin {user}")
    print(f"  sudo install -d -o {user} -g {user} -m 0700 {data}")
    print(f"  sudo install -d -m 0755 {env_file.parent}")
    print(f"  echo 'GRIDBOT_TOKEN=...' | sudo tee {env_file} && sudo chmod 0600 {env_file}")
    if webhook:
        print(f"  echo 'GRIDBOT_WEBHOOK_SECRET=...' | sudo tee -a {env_file}")
    print("  sudo systemctl daemon-reload && sudo systemctl enable --now gridbot")
    return 0
