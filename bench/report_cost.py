"""CPU the bot process spends on one filed report, against PTB's minimal echo bot.

The sandbox runs in a child process (`gridbot sandbox --no-flood-limits`), so the CPU
measured here (this process: the bot, its database thread, and the small HTTP calls that
inject updates — the same for both bots) is the bot's own. A filed report is two updates:
`/report <text>` and the category button; the echo bot answers one message per update.

    .venv/bin/python -m bench.report_cost [N]
"""

from __future__ import annotations

import asyncio
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import ALLOWED_UPDATES, build_application
from bot.clock import SystemClock
from bot.config import config_from_dict
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from services.onboarding import accept_invitation, create_invitation
from tests.town import test_town

TOKEN = "777:BENCH"


def cpu() -> float:
    """User + system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Control:
    """The sandbox's control API."""

    def __init__(self, port: int) -> None:
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/sandbox/", timeout=60)

    async def post(self, route: str, **body: Any) -> Any:
        answer = (await self.http.post(route, json=body)).json()
        assert answer["ok"], answer
        return answer["result"]

    async def get(self, route: str, **query: Any) -> Any:
        answer = (await self.http.get(route, params=query)).json()
        assert answer["ok"], answer
        return answer["result"]

    async def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in await self.get("messages", chat_id=chat_id) if m["from"]["is_bot"]]

    async def wait_count(self, chat_id: int, contains: str, count: int) -> list[dict[str, Any]]:
        while True:
            found = [
                m for m in await self.bot_messages(chat_id) if contains in (m.get("text") or "")
            ]
            if len(found) >= count:
                return found
            last = found[-1]["message_id"] if found else None
            await self.get("wait_bot_message", chat_id=chat_id, after=last or "", timeout=30)


async def echo_cost(control: Control, base_url: str, n: int) -> float:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    app = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    user = await control.post("users", first_name="echo", started=True)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=1)
        for i in range(10):
            await control.post("send_text", user_id=user["id"], text=f"warm {i}")
        await control.wait_count(user["id"], "warm", 10)
        began = cpu()
        for i in range(n):
            await control.post("send_text", user_id=user["id"], text=f"echo {i}")
        await control.wait_count(user["id"], "echo", n)
        spent = cpu() - began
        await app.updater.stop()
        await app.stop()
    return spent / n


async def report_cost(control: Control, base_url: str, n: int, folder: Path) -> float:
    config = config_from_dict(
        {
            "telegram": {
                "token": TOKEN,
                "api_base_url": base_url,
                "poll_timeout": "1s",
                "rate_limit": {"enabled": False},
            },
            "database": {"path": str(folder / "bench.sqlite3")},
        }
    )
    clock = SystemClock()
    db = await Database.open(config.database.path)
    await apply_roster(db, test_town(), clock.now())
    worker = await control.post("users", first_name="worker", started=True)
    made = await create_invitation(db, clock, config.invitations.valid_for, "L4A", by=None)
    await accept_invitation(db, clock, made.token, worker["id"])
    await db.close()
    residents = [await control.post("users", first_name=f"resident{i}") for i in range(n + 10)]
    group = await control.post(
        "groups", title="bench", member_ids=[worker["id"], *(r["id"] for r in residents)]
    )
    app = build_application(config, clock=clock)
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=1)
        await control.post("send_text", user_id=worker["id"], chat_id=group["id"], text="/bind M1")
        bound = await control.wait_count(group["id"], "", 1)
        assert "M1" in bound[0]["text"], bound

        async def file(batch: list[dict[str, Any]], already: int) -> None:
            for r in batch:
                await control.post(
                    "send_text",
                    user_id=r["id"],
                    chat_id=group["id"],
                    text=f"/report 第{r['id']}号问题",
                )
            # Answered questions are edited to show the category, so only this batch's remain.
            asks = await control.wait_count(group["id"], "请选择问题类别", len(batch))
            for ask in asks:
                reporter = ask["reply_to_message"]["from"]["id"]
                data = ask["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                await control.post(
                    "press",
                    user_id=reporter,
                    chat_id=group["id"],
                    message_id=ask["message_id"],
                    data=data,
                )
            await control.wait_count(group["id"], "已登记问题", already + len(batch))

        await file(residents[:10], 0)
        began = cpu()
        # One group handles its updates in order: batches keep every button answer within
        # Telegram's callback-answer window.
        for start in range(10, n + 10, 10):
            await file(residents[start : start + 10], start)
        spent = cpu() - began
        await app.updater.stop()
        await app.stop()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
    return spent / n


async def main(n: int) -> None:
    port = free_port()
    sandbox = subprocess.Popen(  # noqa: ASYNC220 - started before the measurement
        [
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--port",
            str(port),
            "--token",
            TOKEN,
            "--no-flood-limits",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert sandbox.stdout is not None
        sandbox.stdout.readline()
        base_url = f"http://127.0.0.1:{port}/bot"
        control = Control(port)
        echo = await echo_cost(control, base_url, n)
        with tempfile.TemporaryDirectory() as folder:
            report = await report_cost(control, base_url, n, Path(folder))
    finally:
        sandbox.terminate()
        sandbox.wait()
    print(f"echo bot:     {echo * 1000:6.2f} ms CPU per update")
    print(f"filed report: {report * 1000:6.2f} ms CPU per report (2 updates)")
    print(f"ratio:        {report / echo:6.2f} × (target: at most ~3×)")


if __name__ == "__main__":
    started = time.monotonic()
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
    print(f"({time.monotonic() - started:.1f} s)")
