"""CPU the bot process spends on one filed report, against PTB's minimal echo bot.

The sandbox runs in a child process (`gridbot sandbox --no-flood-limits`), so the CPU
measured here (this process: the bot, its database thread, and the small HTTP calls that
inject updates — the same for both bots) is the bot's own. A filed report is two updates:
`/report <text>` and the category button; the echo bot answers one message per update.
The Bot API calls each makes are counted by the sandbox (none of that in this process), the
bot's storage calls and hops to its database thread by a counter around `Database`.
The echo bot runs twice: as PTB ships it (httpx), which the target is set against, and on
this bot's own transport (`bot.api_transport`), to show what the transport alone accounts
for.

    .venv/bin/python -m bench.report_cost [N]
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest

from bot.api_transport import AiohttpRequest
from bot.app import ALLOWED_UPDATES, build_application
from bot.app import start as start_app
from bot.app import stop as stop_app
from bot.clock import SystemClock
from bot.config import config_from_dict
from bot.inbox import Poller
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from services.onboarding import accept_invitation, create_invitation
from tests.ports import free_port
from tests.town import test_town

TOKEN = "777:BENCH"


def cpu() -> float:
    """User + system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Control:
    """The sandbox's control API."""

    def __init__(self, port: int) -> None:
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/sandbox/", timeout=60)

    async def post(self, route: str, **body: Any) -> Any:
        answer = (await self.http.post(route, json=body)).json()
        assert answer["ok"], answer
        return answer["result"]

    async def wait_message(self, chat_id: int, after: int, contains: str) -> dict[str, Any]:
        """The bot's first message in the chat after `after` that contains `contains`."""
        query = {"chat_id": chat_id, "after": after, "contains": contains, "timeout": 30}
        answer = (await self.http.get("wait_bot_message", params=query)).json()
        assert answer["ok"], answer
        result: dict[str, Any] = answer["result"]
        return result

    async def call_count(self) -> int:
        """How many Bot API calls the sandbox has answered so far."""
        return len((await self.http.get("calls")).json()["result"])

    async def calls_since(self, index: int) -> Counter[str]:
        """The Bot API calls answered since the `index`-th, by method."""
        answer = (await self.http.get("calls", params={"since": index})).json()
        return Counter(call["method"] for call in answer["result"])


class Cost:
    """CPU seconds and Bot API calls per unit of work (an update, a filed report), and the
    bot's database work: storage calls (each one statement, or a small unit of a few) and
    how many of them hopped to the database thread."""

    def __init__(
        self, cpu: float, calls: Counter[str], n: int, db: Counter[str] | None = None
    ) -> None:
        self.cpu = cpu / n
        self.calls = {method: count / n for method, count in calls.most_common()}
        self.db = {what: count / n for what, count in (db or Counter()).items()}

    def calls_text(self) -> str:
        """The calls per unit, e.g. `6.0 (getUpdates 2.0, sendMessage 2.0 …)`."""
        each = ", ".join(f"{method} {count:.1f}" for method, count in self.calls.items())
        return f"{sum(self.calls.values()):.1f} ({each})"


async def echo_cost(
    control: Control, base_url: str, n: int, request: BaseRequest | None = None
) -> Cost:
    """CPU per update of PTB's minimal echo bot (on PTB's own transport unless `request`)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    builder = ApplicationBuilder().token(TOKEN).base_url(base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(AiohttpRequest(read_timeout=10))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    user = await control.post("users", first_name="echo", started=True)
    last = 0

    async def echo_one(text: str) -> None:
        nonlocal last
        await control.post("send_text", user_id=user["id"], text=text)
        last = (await control.wait_message(user["id"], last, text))["message_id"]

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=1)
        for i in range(10):
            await echo_one(f"warm {i}")
        first_call = await control.call_count()
        began = cpu()
        for i in range(n):
            await echo_one(f"echo {i}")
        spent = cpu() - began
        calls = await control.calls_since(first_call)
        await app.updater.stop()
        await app.stop()
    return Cost(spent, calls, n)


class CountingDatabase:
    """Counts the bot's storage calls and hops to the database thread while installed."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Count while inside."""
        on_thread, atomically, hop = Database._on_thread, Database.atomically, Database._hop
        seen = self.seen

        async def counted_on_thread(db: Database, work: Any, *args: Any) -> Any:
            seen["calls"] += 1
            return await on_thread(db, work, *args)

        async def counted_atomically(db: Database, work: Any, *args: Any) -> Any:
            seen["calls"] += 1
            return await atomically(db, work, *args)

        async def counted_hop(db: Database, work: Any, *args: Any) -> Any:
            seen["hops"] += 1
            return await hop(db, work, *args)

        Database._on_thread = counted_on_thread  # type: ignore[method-assign]
        Database.atomically = counted_atomically  # type: ignore[method-assign]
        Database._hop = counted_hop  # type: ignore[method-assign]
        try:
            yield
        finally:
            Database._on_thread = on_thread  # type: ignore[method-assign]
            Database.atomically = atomically  # type: ignore[method-assign]
            Database._hop = hop  # type: ignore[method-assign]


async def report_cost(control: Control, base_url: str, n: int, folder: Path) -> Cost:
    """CPU per filed report (/report with text, then the category button) of this bot."""
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
    chat_id = group["id"]
    last = 0

    async def file_one(resident: dict[str, Any]) -> None:
        nonlocal last
        await control.post(
            "send_text", user_id=resident["id"], chat_id=chat_id, text="/report 路灯坏了"
        )
        ask = await control.wait_message(chat_id, last, "请选择问题类别")
        data = ask["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await control.post(
            "press",
            user_id=resident["id"],
            chat_id=chat_id,
            message_id=ask["message_id"],
            data=data,
        )
        last = (await control.wait_message(chat_id, last, "已登记问题"))["message_id"]

    app = build_application(config, clock=clock)
    inbox = await start_app(app)
    stopping = asyncio.Event()
    poller = Poller(app, inbox, timeout=1, allowed_updates=ALLOWED_UPDATES)
    polling = asyncio.create_task(poller.run(stopping))
    try:
        await control.post("send_text", user_id=worker["id"], chat_id=chat_id, text="/bind M1")
        last = (await control.wait_message(chat_id, 0, "网格联系卡"))["message_id"]
        for resident in residents[:10]:
            await file_one(resident)
        first_call = await control.call_count()
        counting = CountingDatabase()
        with counting.installed():
            began = cpu()
            for resident in residents[10:]:
                await file_one(resident)
            spent = cpu() - began
        calls = await control.calls_since(first_call)
    finally:
        stopping.set()
        await polling
        await stop_app(app)
    return Cost(spent, calls, n, counting.seen)


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
        echo_aiohttp = await echo_cost(
            control, base_url, n, request=AiohttpRequest(connection_pool_size=8)
        )
        with tempfile.TemporaryDirectory() as folder:
            report = await report_cost(control, base_url, n, Path(folder))
    finally:
        sandbox.terminate()
        sandbox.wait()
    print(f"echo bot:     {echo.cpu * 1000:6.2f} ms CPU per update (PTB as shipped, httpx)")
    print(f"filed report: {report.cpu * 1000:6.2f} ms CPU per report (2 updates)")
    print(f"ratio:        {report.cpu / echo.cpu:6.2f} × (target: at most ~3×)")
    print(
        f"echo bot on this bot's transport: {echo_aiohttp.cpu * 1000:.2f} ms per update; "
        f"ratio against it {report.cpu / echo_aiohttp.cpu:.2f} ×"
    )
    print(f"Bot API calls per echo update: {echo.calls_text()}")
    print(f"Bot API calls per filed report: {report.calls_text()}")
    print(
        f"database per filed report: {report.db.get('calls', 0):.1f} storage calls; "
        f"{report.db.get('hops', 0):.2f} hops to the database thread (a call or a COMMIT)"
    )


if __name__ == "__main__":
    started = time.monotonic()
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
    print(f"({time.monotonic() - started:.1f} s)")
