"""`gridbot run` as a process, as systemd starts it: migrates after a backup, holds the run
lock, serves /healthz, logs JSON lines without library chatter, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.__main__ import main
from bot.backups import PRE_MIGRATE
from bot.storage.backups import applied_versions
from bot.storage.db import migration_versions
from sandbox.driver import Sandbox
from tests.ports import free_port
from tests.unit.test_backups import _old_database

TOKEN = "515151:PROCESS-TEST"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(token=TOKEN, bot_username="gridbot_process_bot", flood_limits=False)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


async def test_run_as_a_service_would(sb: Sandbox, tmp_path: Path) -> None:
    database = tmp_path / "data" / "grid.sqlite3"
    _old_database(database)  # an upgrade: the schema lags behind the program
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\napi_base_url = "{sb.base_url}"\npoll_timeout = "1s"\n'
        f'[database]\npath = "{database}"\n'
        f"[health]\nenabled = true\nport = {port}\n"
        '[logging]\nformat = "json"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "GRIDBOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await sb.wait_for(lambda: sb.calls_to("getUpdates"), timeout=60)
        assert applied_versions(database) == {v for v, _ in migration_versions()}
        copies = list((database.parent / "backups").glob(f"{PRE_MIGRATE}*"))
        assert len(copies) == 1 and applied_versions(copies[0]) == {1}

        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200, await response.text()

        argv = ["restore", "--config", str(config), str(copies[0])]
        assert await asyncio.to_thread(main, argv) == 1  # the running bot holds the lock
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 1
        assert b"already runs on this database" in err
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    lines = [json.loads(line) for line in err.decode().splitlines() if line.strip()]
    assert {line["logger"] for line in lines}.isdisjoint({"httpx", "apscheduler.scheduler"})
    messages = [line["message"] for line in lines]
    assert any(m.startswith("backup before migrating: pre-migrate-") for m in messages)
    assert any(m.startswith(f"health and metrics on http://127.0.0.1:{port}/") for m in messages)
    assert await asyncio.to_thread(main, argv) == 0  # stopped: the lock is free
