"""The scheduled backup: a checked copy of the database, then rotation."""

from __future__ import annotations

import logging

from bot.backups import scheduled_backup
from bot.config import Config
from bot.crontab import cron_trigger
from bot.runtime import GridApp, GridContext
from bot.storage.backups import BackupError
from scheduler.jobs import forget

log = logging.getLogger(__name__)

JOB_NAME = "backup"


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


def register(app: GridApp, config: Config) -> None:
    """Run the backup on `[backup] schedule` (town time) unless turned off."""
    forget(app, JOB_NAME)
    if not config.backup.enabled:
        return
    assert app.job_queue is not None
    app.job_queue.run_custom(
        backup,
        job_kwargs={"trigger": cron_trigger(config.backup.schedule, config.tz)},
        name=JOB_NAME,
    )
