"""A two-town county for the fan-out crash tests: the sandbox in the test process (Telegram's
flood limits on), `gridbot run` as a child process on a real SQLite file (the bot's rate
limiter on), started, killed with SIGKILL and started again."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sandbox.driver import Sandbox

TOKEN = "777002:FANOUT-CRASH"
NO_REMINDERS = (
    "[reminders]\nmonthly_contact = []\nquarterly_visit = []\nweekly_checkin = []\npension = []\n"
)


class Run:
    """The sandbox in this process, `gridbot run` as a child process, one database."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.sb = Sandbox(token=TOKEN, bot_username="fanout_crash_bot", flood_limits=True)
        self.db_path = tmp / "grid.sqlite3"
        self.config = tmp / "config.toml"
        self.log = tmp / "bot.log"
        self.proc: subprocess.Popen[bytes] | None = None

    async def open(self, settings: str) -> str:
        """Start the sandbox and write the config (`settings`: more TOML); its base URL."""
        base_url = await self.sb.start()
        self.config.write_text(
            f'[telegram]\napi_base_url = "{base_url}"\npoll_timeout = "1s"\n'
            "[telegram.rate_limit]\nenabled = true\n"
            f'[database]\npath = "{self.db_path}"\n'
            "[backup]\nenabled = false\n"
            "[cadre.digest]\nenabled = false\n[cadre.assessment]\nenabled = false\n" + settings,
            encoding="utf-8",
        )
        return base_url

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(self.config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "GRIDBOT_TOKEN": TOKEN},
            )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    async def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        await self.sb.stop()

    def sent_to(self, chats: set[int], marker: str = "") -> list[int]:
        """Chats among `chats` the sandbox accepted a message for (containing `marker`), in
        order."""
        return [
            int(c.params["chat_id"])
            for c in self.sb.calls_to("sendMessage")
            if c.ok and int(c.params["chat_id"]) in chats and marker in c.params.get("text", "")
        ]

    def flooded(self) -> int:
        """Calls the sandbox answered 429."""
        return len([c for c in self.sb.calls if c.response.get("error_code") == 429])

    def ledger(self, kind: str) -> Counter[str]:
        """The rows of one ledger kind by status, read from outside the process."""
        with contextlib.closing(sqlite3.connect(self.db_path)) as conn:
            rows = conn.execute(
                "SELECT status, COUNT(*) FROM ledger WHERE kind = ? GROUP BY status", (kind,)
            ).fetchall()
        return Counter({status: n for status, n in rows})

    def scalar(self, sql: str, params: tuple[object, ...] = ()) -> object:
        """One value read from outside the process."""
        with contextlib.closing(sqlite3.connect(self.db_path)) as conn:
            row = conn.execute(sql, params).fetchone()
        return None if row is None else row[0]
