"""A scheduled backup restored into a fresh bot: every report filed before it is back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.backups import backup_time
from bot.ops_cli import restore_command
from bot.runlock import RunLock
from tests.e2e.harness import Harness
from tests.e2e.reporting import file_report


async def test_restored_backup_brings_back_every_report(h: Harness, town) -> None:
    _worker, resident, chat = town
    numbers = [await file_report(h, resident, chat, f"问题{n}") for n in range(3)]
    await h.run_job("backup")
    backups = [p for p in h.rt.config.backup_folder().iterdir() if backup_time(p)]
    assert len(backups) == 1
    later = await file_report(h, resident, chat, "备份之后")
    await h.stop_bot()

    with RunLock(h.config.database.path):  # the bot's process holds this while it runs
        assert restore_command(h.config, backups[0]) == 1
    assert restore_command(h.config, backups[0]) == 0

    await h.start_bot()
    rows = await h.db.fetchall("SELECT id FROM reports ORDER BY id")
    assert [r[0] for r in rows] == numbers
    for number in numbers:
        await h.send(resident, chat, f"/status {number}")
        assert f"#{number}" in h.last_text(chat)
    await h.send(resident, chat, f"/status {later}")
    assert h.last_text(chat) == f"找不到问题 #{later}，或您无权查看。"
    aside = list(Path(h.config.database.path).parent.glob("*.before-restore-*"))
    assert len(aside) == 1


@pytest.mark.parametrize("enabled", [True, False])
async def test_backup_job_follows_the_setting(tmp_path: Path, enabled: bool) -> None:
    h = await Harness(tmp_path, settings={"backup": {"enabled": enabled}}).open()
    try:
        assert h.app is not None and h.app.job_queue is not None
        assert bool(h.app.job_queue.get_jobs_by_name("backup")) is enabled
    finally:
        await h.close()


async def test_a_missed_day_is_caught_up_after_start(h: Harness) -> None:
    folder = h.rt.config.backup_folder()
    await h.run_job("backup:catch-up")  # none yet: one is made
    assert len([p for p in folder.iterdir() if backup_time(p)]) == 1
    h.clock.advance(timedelta(hours=23))
    await h.run_job("backup:catch-up")  # the newest is less than a day old
    assert len([p for p in folder.iterdir() if backup_time(p)]) == 1
    h.clock.advance(timedelta(hours=2))
    await h.run_job("backup:catch-up")
    assert len([p for p in folder.iterdir() if backup_time(p)]) == 2
