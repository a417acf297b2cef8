"""The bot token never reaches the logs, and a token Telegram refuses ends `gridbot run` with
one line naming GRIDBOT_TOKEN. The real command runs in a child process against the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.driver import Sandbox

SECRET = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GOOD = f"4839574812:{SECRET}"
WRONG = "4839574812:AAE-this-one-was-revoked-by-BotFather"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(token=GOOD, bot_username="gridbot_test_bot", flood_limits=False)
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()


def _config(tmp_path: Path, sb: Sandbox) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\napi_base_url = "{sb.base_url}"\napi_file_url = "{sb.base_file_url}"\n'
        'poll_timeout = "1s"\n[database]\npath = "grid.sqlite3"\n',
        encoding="utf-8",
    )
    return path


async def _start(config: Path, token: str, *options: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "GRIDBOT_TOKEN": token}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *options,
        "run",
        "--config",
        str(config),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_refused_token_is_one_line_without_the_token(tmp_path, sandbox):
    proc = await _start(_config(tmp_path, sandbox), WRONG)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    text = (out + err).decode()
    assert proc.returncode != 0
    assert err.decode().count("\n") == 1, text
    assert "GRIDBOT_TOKEN" in text and "Traceback" not in text
    assert "revoked" not in text and "4839574812" not in text


async def test_verbose_logs_never_show_the_token(tmp_path, sandbox):
    proc = await _start(_config(tmp_path, sandbox), GOOD, "-v")
    try:
        await sandbox.wait_for(lambda: sandbox.calls_to("getUpdates") or None, timeout=60)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    text = (out + err).decode()
    assert SECRET not in text
    assert "getUpdates" in text  # the verbose log is there …
    assert "bot<redacted>" in text  # … with the Bot API address in it, redacted


async def test_invite_with_a_refused_token_is_one_line(tmp_path, sandbox, monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.setenv("GRIDBOT_TOKEN", WRONG)
    config = str(_config(tmp_path, sandbox))
    # The command line runs its own event loop: call it from a thread, as a shell would.
    status = await asyncio.to_thread(main, ["invite", "--config", config, "--staff", "L4A"])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err.count("\n") == 1 and "GRIDBOT_TOKEN" in captured.err
    assert "revoked" not in captured.out + captured.err
