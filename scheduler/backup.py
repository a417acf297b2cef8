"""The scheduled backup: a checked copy of the database, then rotation."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.backups import newest_backup, scheduled_backup
from bot.config import Config
from bot.crontab import cron_trigger
from bot.runtime import GridApp, GridContext
from bot.storage.backups import BackupError
from scheduler.jobs import forget

log = logging.getLogger(__name__)

JOB_NAME = "backup"
CATCH_UP_JOB = "backup:catch-up"
# After start-up, a day without a backup (the bot was down at the scheduled hour) is caught up.
CATCH_UP_AFTER = 60
CATCH_UP_OLDER_THAN = timedelta(days=1)


async def backup(context: GridContext) -> None:
    """Write today's backup and delete the ones rotation no longer keeps."""
    rt = context.rt
    try:
        done = await scheduled_backup(rt.db, rt.config, rt.clock.now())
    except (BackupError, OSError) as exc:
        log.error("backup failed: %s", exc)
        raise
    log.info(
        "backup written: %s (%d bytes), %d old backups removed",
        done.path.name,
        done.size,
        len(done.removed),
    )


async def catch_up(context: GridContext) -> None:
    """Back up now when the newest backup is more than a day old (or there is none)."""
    rt = context.rt
    newest = await asyncio.to_thread(newest_backup, rt.config.backup_folder())
    if newest is not None and rt.clock.now() - newest < CATCH_UP_OLDER_THAN:
        return
    log.info("no backup for a day: catching up")
    await backup(context)


def register(app: GridApp, config: Config) -> None:
    """Run the backup on `[backup] schedule` (town time) unless turned off."""
    forget(app, JOB_NAME, CATCH_UP_JOB)
    if not config.backup.enabled:
        return
    assert app.job_queue is not None
    app.job_queue.run_custom(
        backup,
        job_kwargs={"trigger": cron_trigger(config.backup.schedule, config.tz)},
        name=JOB_NAME,
    )
    app.job_queue.run_once(catch_up, when=CATCH_UP_AFTER, name=CATCH_UP_JOB)
