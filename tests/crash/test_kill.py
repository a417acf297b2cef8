"""The real `gridbot run` process, killed with SIGKILL at random moments, loses nothing.

The sandbox runs in this test process; the bot is a child process polling it over HTTP (or,
with `--webhook`, taking the sandbox's posts on its own server). A
burst of /report messages from many residents in several groups is sent, the bot is killed
after a random number of Bot API calls, started again, and so on through the button presses
that follow. Whatever the moment of the kill, every /report ends as exactly one report, every
press is applied once, every notice is delivered once the bot is back, and the database is
intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from sandbox.driver import Sandbox
from sandbox.state import Chat, User
from services.onboarding import accept_invitation, create_invitation
from tests.ports import free_port
from tests.town import test_town as town_roster

TOKEN = "777001:CRASH-TEST"
WEBHOOK_SECRET = "crash-test-secret"
SEEDS = [int(s) for s in os.environ.get("CRASH_SEEDS", "11,23,37,41").split(",")]
GROUPS = {"M1": "L4A", "M2": "L4B", "M4": "L4D"}
RESIDENTS_PER_GROUP = 3
REPORTS_EACH = 3
WAIT = 120.0


class BotProcess:
    """`gridbot run` as a child process on one config file."""

    def __init__(self, config: Path, log: Path, args: tuple[str, ...] = ()) -> None:
        self.config = config
        self.log = log
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        env = {**os.environ, "GRIDBOT_TOKEN": TOKEN, "GRIDBOT_WEBHOOK_SECRET": WEBHOOK_SECRET}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(self.config), *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Town:
    """The sandbox, the bot process, and the people and groups of the test town."""

    def __init__(self, tmp: Path, seed: int, webhook: bool = False) -> None:
        self.tmp = tmp
        self.rng = random.Random(seed)
        self.sb = Sandbox(token=TOKEN, bot_username="crash_test_bot", flood_limits=False)
        self.db_path = tmp / "grid.sqlite3"
        self.webhook = webhook
        args = ("--webhook",) if webhook else ()
        self.bot = BotProcess(tmp / "config.toml", tmp / "bot.log", args)
        self.workers: dict[str, User] = {}
        self.groups: dict[str, Chat] = {}
        self.residents: dict[str, list[User]] = {}

    async def open(self) -> Town:
        base_url = await self.sb.start()
        self.bot.config.write_text(
            "[telegram]\n"
            f'api_base_url = "{base_url}"\n'
            f'api_file_url = "{self.sb.base_file_url}"\n'
            'poll_timeout = "1s"\n'
            "[telegram.rate_limit]\nenabled = false\n"
            f'[database]\npath = "{self.db_path}"\n'
            "[limits]\nreports_per_hour = 0\nactions_per_minute = 0\n"
            + (webhook_section(free_port()) if self.webhook else ""),
            encoding="utf-8",
        )
        clock = FakeClock(datetime.now(UTC))
        db = await Database.open(self.db_path)
        try:
            await apply_roster(db, town_roster(), clock.now(), actor="test")
            for code, staff in GROUPS.items():
                worker = self.sb.add_user(f"worker {staff}")
                self.sb.start_bot(worker)
                made = await create_invitation(db, clock, timedelta(days=7), staff, by=None)
                await accept_invitation(db, clock, made.token, worker.id)
                self.workers[code] = worker
        finally:
            await db.close()
        for code, worker in self.workers.items():
            people = [self.sb.add_user(f"{code} resident {i}") for i in range(RESIDENTS_PER_GROUP)]
            self.residents[code] = people
            self.groups[code] = self.sb.add_group(f"{code} group", members=[worker, *people])
        return self

    async def close(self) -> None:
        self.bot.stop()
        await self.sb.stop()

    # --- running the bot --------------------------------------------------------------

    async def start_bot(self) -> None:
        """Start the process and wait until it polls (or has set its webhook)."""
        method = "setWebhook" if self.webhook else "getUpdates"
        polls = len(self.sb.calls_to(method))
        self.bot.start()
        await self.sb.wait_for(lambda: len(self.sb.calls_to(method)) > polls, WAIT)

    async def kill_after(self, calls: int) -> None:
        """Let the bot make `calls` more Bot API calls (or go idle), then SIGKILL it."""
        target = len(self.sb.calls) + calls

        def reached_or_idle() -> bool:
            return len(self.sb.calls) >= target or not self.sb.world.updates.pending

        await self.sb.wait_for(reached_or_idle, WAIT)
        self.bot.kill()

    async def until(self, predicate: Callable[[], bool]) -> None:
        """Wait (at most WAIT) until `predicate()` holds, checking it on every Bot API call
        and every half second (it may read the database, which the sandbox does not see)."""
        async with asyncio.timeout(WAIT):
            while not predicate():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.sb.world.notifier.changed(), 0.5)

    # --- reading what happened --------------------------------------------------------

    def questions_for(self, chat: Chat, message_id: int) -> list[dict[str, Any]]:
        """The bot's category questions answering one /report message."""
        return [
            m
            for m in self.sb.bot_messages(chat)
            if (m.get("reply_to_message") or {}).get("message_id") == message_id
            and "inline_keyboard" in (m.get("reply_markup") or {})
        ]

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the bot's database from outside the process."""
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(sql, params).fetchall()


def webhook_section(port: int) -> str:
    """The config of a bot taking updates by webhook on a local port."""
    return (
        f'[telegram.webhook]\nurl = "http://127.0.0.1:{port}"\nport = {port}\npath = "/telegram"\n'
    )


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
async def town(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Town]:
    place = await Town(tmp_path, request.param).open()
    try:
        yield place
    finally:
        await place.close()


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
async def webhook_town(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Town]:
    place = await Town(tmp_path, request.param, webhook=True).open()
    try:
        yield place
    finally:
        await place.close()


async def test_kill_during_reports_and_presses_loses_nothing(town: Town) -> None:
    await kill_during_reports_and_presses(town)


async def test_kill_during_webhook_pushes_loses_nothing(webhook_town: Town) -> None:
    sb = webhook_town.sb
    await kill_during_reports_and_presses(webhook_town)
    assert not sb.calls_to("getUpdates")
    assert not any(c.params.get("drop_pending_updates") for c in sb.calls_to("setWebhook"))
    # The sandbox met the dead bot: refused connections, then delivered everything.
    assert any(p.error == "Connection refused" for p in sb.pushes)
    assert sb.world.webhook["url"]  # left set at the clean stop


async def kill_during_reports_and_presses(town: Town) -> None:
    """Reports and button presses in bursts, the bot killed and restarted during each."""
    sb = town.sb
    await town.start_bot()
    for code, worker in town.workers.items():
        sb.send_text(worker, town.groups[code], f"/bind {code}")
    await sb.wait_for(
        lambda: all(
            any("网格联系卡" in (m.get("text") or "") for m in sb.bot_messages(g))
            for g in town.groups.values()
        ),
        WAIT,
    )

    # A burst of reports from every resident of every group; the bot dies part-way.
    sent: list[tuple[Chat, User, int]] = []
    for round_ in range(REPORTS_EACH):
        for code, people in town.residents.items():
            for person in people:
                injected = sb.send_text(person, town.groups[code], f"/report 路灯坏了 {round_}")
                assert injected.message_id is not None
                sent.append((town.groups[code], person, injected.message_id))
    burst_calls = len(sent) * 2
    await town.kill_after(town.rng.randint(1, burst_calls))
    await town.start_bot()
    # Killed again while it catches up.
    await town.kill_after(town.rng.randint(1, burst_calls // 2))
    await town.start_bot()

    await sb.wait_for(lambda: all(town.questions_for(c, m) for c, _, m in sent), WAIT)
    # A /report gets its question again only when a crash may have come between storing its
    # draft and sending the question: at most once more per kill so far.
    kills = town.bot.starts - 1
    assert all(len(town.questions_for(c, m)) <= 1 + kills for c, _, m in sent)

    # Everyone presses a category on their (latest) question; the bot dies part-way again.
    presses = []
    for chat, person, message_id in sent:
        question = town.questions_for(chat, message_id)[-1]
        data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        presses.append((person, question, data))
        sb.press(person, question, data)
    await town.kill_after(town.rng.randint(1, len(presses) * 3))
    await town.start_bot()
    # One press is delivered twice (Telegram may do that after a restart): applied once.
    sb.press(*presses[0])

    def all_filed_and_told() -> bool:
        filed = town.rows("SELECT COUNT(*) FROM reports")[0][0]
        waiting = town.rows("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0]
        return filed >= len(sent) and not waiting and not sb.world.updates.pending

    # The outbox is read from the database, which can change after the sandbox's last call:
    # looked at again on every call and at least twice a second.
    await town.until(all_filed_and_told)
    town.bot.stop()  # a clean stop: whatever was queued is handled first

    # Every /report message is exactly one report.
    filed = town.rows("SELECT source_chat_id, source_message_id FROM reports")
    by_message = Counter((chat_id, message_id) for chat_id, message_id in filed)
    assert sorted(by_message) == sorted((c.id, m) for c, _, m in sent)
    assert set(by_message.values()) == {1}
    # Each report was filed once, with one 'filed' event.
    events = Counter(
        r[0] for r in town.rows("SELECT case_id FROM case_events WHERE kind = 'report'")
    )
    assert set(events.values()) == {1}
    # Nothing half-made is left behind.
    assert town.rows("SELECT COUNT(*) FROM report_drafts WHERE report_id IS NULL") == [(0,)]
    assert town.rows("SELECT COUNT(*) FROM inbox_updates WHERE done_at IS NULL") == [(0,)]
    assert town.rows("PRAGMA integrity_check") == [("ok",)]
    kills = town.bot.starts - 1
    assert kills >= 3

    # Every reporter sees their report's number in the group; every report reached its
    # worker. A notice whose send was under way at the moment of a kill may arrive twice
    # (Telegram took it, the process died before recording that): at most one per kill.
    numbers = {r[0]: r[1] for r in town.rows("SELECT id, source_chat_id FROM reports")}
    for number, chat_id in numbers.items():
        said = [m.get("text") or "" for m in sb.bot_messages(chat_id)]
        assert any(f"#{number}" in text for text in said), number
    cards: Counter[int] = Counter()
    for worker in town.workers.values():
        for message in sb.bot_messages(worker):
            text = message.get("text") or message.get("caption") or ""
            cards.update(n for n in numbers if f"#{n}<" in text or f"#{n} " in text)
    assert set(cards) == set(numbers), sorted(set(numbers) - set(cards))
    assert sum(count - 1 for count in cards.values()) <= kills
    assert town.rows("SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == [(0,)]
