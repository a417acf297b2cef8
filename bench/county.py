"""A county on one deployment, measured: 30 towns, ~1M reports, a reminder run's fan-out.

    .venv/bin/python -m bench.county [--towns 30] [--reports 1000000] [--sends 3000]

Run by hand (not part of `make test`); it prints its figures:

1. import of a county roster (the sample county, `sample-roster --towns 30`: ~32 000 micro-grids and
   workers, ~390 000 households): time and the process's peak RSS;
2. ~1M reports with their history and a month of contacts; the database's size;
3. a town's digest and the county's digest with 30 towns of data (a ratio to a
   baseline measured in the same run: one full scan of the reports table);
4. every worker's due list for a monthly-contact run (plan and record all 32 000 sends)
   on the 20th at 10:00 with ~60% of households contacted this month, and the database's
   side of sending one (claim and record, per message);
5. `gridbot run` in a child process on that database against `gridbot sandbox` (another
   child, Telegram's flood limits on): start-up time, idle RSS, then a reminder run of
   `--sends` messages (workers linked to sandbox accounts, spread over the towns): total
   time, sends/s, 429s, and how soon each town's first message went out. `--sends 32000`
   sends a whole county's run (~18 minutes at 30/s, ~21 minutes for the whole bench); with
   the default 3 000 the full run is extrapolated (said so)."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bot.clock import FakeClock, to_ts
from bot.config import Config
from bot.storage import grid
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.digest import SpanKind, span_to_date
from models.reminders import ReminderKind
from models.roster import Roster
from services import ledger, reminders
from services.digest import build_digest
from services.sample_town import build_sample_county
from tests.ports import free_port

TOKEN = "555555:COUNTY-BENCH"
STATUSES = ["closed"] * 6 + ["resolved"] * 2 + ["accepted", "new", "rejected"]
CHUNK = 50_000


def machine() -> str:
    """Cores, CPU model, Python and SQLite versions."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int) -> float:
    """Another process's resident memory now (MB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def county_roster(towns: int) -> Roster:
    """The sample county: `towns` towns shaped like the sample town, under one county."""
    return build_sample_county(towns, county=True)


async def fill_reports(db: Database, count: int, now: datetime, rng: random.Random) -> None:
    """`count` reports over two years with their history, and a month of contacts."""
    rows = await db.fetchall(
        "SELECT u.id AS unit, (SELECT su.staff_id FROM staff_units su "
        " WHERE su.unit_id = u.id LIMIT 1) AS staff FROM units u WHERE u.level = 4"
    )
    micro_grids = [(r["unit"], r["staff"] or 1) for r in rows]
    end = to_ts(now)
    for first in range(1, count + 1, CHUNK):
        reports, events = [], []
        for n in range(first, min(first + CHUNK, count + 1)):
            mg, staff = rng.choice(micro_grids)
            status = rng.choice(STATUSES)
            created = end - rng.randrange(730 * 86400)
            solved = status in ("closed", "resolved")
            on_spot = int(solved and rng.random() < 0.85)
            overdue = int(rng.random() < 0.1)
            reports.append((n, mg, rng.choice(CATEGORIES), status, mg, on_spot, overdue, created))
            events.append((n, created + 600, "accept", "new", "accepted", staff))
            if solved:
                events.append((n, created + 7200, "resolve", "accepted", "resolved", staff))
        async with db.transaction():
            await db.executemany(
                "INSERT INTO reports (id, micro_grid_id, category, description, reporter_tg_id, "
                "reporter_name, source_chat_id, source_message_id, status, level, unit_id, "
                "solved_on_spot, overdue, created_at, updated_at) VALUES (?, ?, ?, 'x', 1, 'r', "
                "-1, ?1, ?4, 4, ?5, ?6, ?7, ?8, ?8)",
                reports,
            )
            await db.executemany(
                "INSERT INTO case_events (kind, case_id, at, action, from_status, to_status, "
                "level, actor, staff_id) VALUES ('report', ?, ?, ?, ?, ?, 4, 'staff', ?)",
                events,
            )
    async with db.transaction():  # numbered within each town, as filing numbers them
        await db.execute(
            "UPDATE reports SET town_id = (SELECT u.l1_id FROM units u "
            "WHERE u.id = reports.micro_grid_id), town_seq = id"
        )
    homes = await db.fetchall(
        "SELECT h.id, (SELECT su.staff_id FROM staff_units su "
        " WHERE su.unit_id = h.micro_grid_id LIMIT 1) AS staff FROM households h"
    )
    day = now.date().isoformat()
    contacts = [
        (h["id"], h["staff"] or 1, end - rng.randrange(9 * 86400))
        for h in homes
        if rng.random() < 0.6
    ]
    async with db.transaction():
        await db.executemany(
            "INSERT INTO contacts (household_id, staff_id, kind, outcome, counts_contact, "
            "counts_visit, happened_on, happened_at, logged_at) "
            f"VALUES (?, ?, 'visit', 'met', 1, 1, '{day}', ?3, ?3)",
            contacts,
        )
    print(f"  {count} reports, {len(contacts)} contacts")


CATEGORIES = ("infrastructure", "policy", "dispute", "other")


async def median_time(runs: int, work: Callable[[], Awaitable[Any]]) -> float:
    """The median wall time of `runs` runs of `work` (seconds)."""
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await work()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def size_mb(path: Path) -> float:
    """The database file with its WAL (MB)."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


async def measure_in_process(db: Database, path: Path, args: argparse.Namespace) -> None:
    """Import, reports, size, digests, the due list and the per-send database cost."""
    # The monthly-contact run of the 20th at 10:00 (the default schedule), town time; the
    # contacts fall in the 9 days before it (~60% of households contacted this month).
    local = datetime.now(Config().tz).replace(day=20, hour=10, minute=0, second=0, microsecond=0)
    now = local.astimezone(UTC)
    began = time.perf_counter()
    roster = county_roster(args.towns)
    built = time.perf_counter() - began
    before = peak_rss_mb()
    began = time.perf_counter()
    # Imported long before: the month's contacts count.
    summary = await apply_roster(db, roster, now - timedelta(days=400), actor="bench")
    imported = time.perf_counter() - began
    print(
        f"import: {len(roster.units)} units, {len(roster.staff)} staff, "
        f"{len(roster.households)} households in {imported:.1f} s "
        f"(roster built in {built:.1f} s); peak RSS {before:.0f} MB before, "
        f"{peak_rss_mb():.0f} MB after"
    )
    del roster, summary
    began = time.perf_counter()
    await fill_reports(db, args.reports, now, random.Random(7))
    print(f"  (reports, history and contacts written in {time.perf_counter() - began:.1f} s)")
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"database size: {size_mb(path):.0f} MB")

    async def baseline() -> None:
        await db.fetchall("SELECT category, status, COUNT(*) FROM reports GROUP BY 1, 2")

    base = await median_time(args.runs, baseline)
    print(f"baseline (one scan of {args.reports} reports): {base * 1000:.0f} ms")
    config = Config()
    towns = await grid.towns(db)
    town = towns[0]
    county = next(u for u in [await grid.unit_by_id(db, towns[0].parent_id or 0)] if u)
    for kind in (SpanKind.DAY, SpanKind.WEEK):
        span = span_to_date(kind, now, config.tz)

        async def town_digest(span=span) -> None:  # type: ignore[no-untyped-def]
            async with db.transaction():
                await build_digest(db, config, town, span, now)

        async def county_digest(span=span) -> None:  # type: ignore[no-untyped-def]
            async with db.transaction():
                await build_digest(db, config, county, span, now)

        one = await median_time(args.runs, town_digest)
        whole = await median_time(max(1, args.runs // 2), county_digest)
        print(
            f"{kind.value} digest: one town {one * 1000:.0f} ms ({one / base:.2f}× baseline; "
            f"goal < 300 ms); the county ({len(towns)} towns) {whole * 1000:.0f} ms "
            f"({whole / base:.2f}×; goal < 1 s)"
        )
    # Every worker is linked (fake accounts), so the due list records a pending send each.
    async with db.transaction():
        await db.execute("UPDATE staff SET tg_user_id = 1000000000 + id")
    clock = FakeClock(now)
    config = Config()
    peak = peak_rss_mb()
    began = time.perf_counter()
    planned = await reminders.plan_due(db, clock, config, [ReminderKind.MONTHLY_CONTACT])
    due = time.perf_counter() - began
    count = sum(n for _, _, n in planned)
    print(
        f"due list of every worker (monthly contact, recorded): {count} sends in {due:.1f} s "
        f"({due / base:.1f}× baseline; goal < 10 s); peak RSS {peak:.0f} -> {peak_rss_mb():.0f} MB"
    )
    kinds = [ReminderKind.MONTHLY_CONTACT]
    samples = 2000
    began = time.perf_counter()
    for _ in range(samples):
        [one_send] = await reminders.claim(db, clock, config, kinds, "bench", 1)
        await reminders.finish(db, clock, [ledger.Outcome(one_send.id, "sent", message_id=1)])
    each = (time.perf_counter() - began) / samples
    print(
        f"database side of one send (claim + record, {count} pending): {each * 1000:.2f} ms "
        f"({1 / each:.0f}/s possible; Telegram allows 30/s)"
    )
    async with db.transaction():
        await db.execute("DELETE FROM ledger")
        await db.execute("DELETE FROM send_runs")
        await db.execute("UPDATE staff SET tg_user_id = NULL")


def child(*command: str, **kwargs: Any) -> subprocess.Popen[str]:
    """Start `python -m bot …` as a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        **kwargs,
    )


async def fan_out(path: Path, folder: Path, args: argparse.Namespace) -> None:
    """The real bot process sends a reminder run through the sandbox (flood limits on)."""
    port, health = free_port(), free_port()
    sandbox = child("sandbox", "--port", str(port), "--token", TOKEN)
    bot: subprocess.Popen[str] | None = None
    try:
        assert sandbox.stdout is not None
        sandbox.stdout.readline()
        control = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/sandbox", timeout=30)
        db = await Database.open(path)
        towns = {t.id: t.code for t in await grid.towns(db)}
        workers = await db.fetchall(
            "SELECT s.id, u.l1_id AS town FROM staff s JOIN staff_units su ON su.staff_id = s.id "
            "JOIN units u ON u.id = su.unit_id WHERE s.level = 4 GROUP BY s.id ORDER BY s.id"
        )
        by_town: dict[int, list[int]] = {}
        for w in workers:
            by_town.setdefault(w["town"], []).append(w["id"])
        # The same number from every town: one town's run must not wait behind another's.
        share = max(1, args.sends // len(by_town))
        chosen = [(town, s) for town, ids in by_town.items() for s in ids[:share]]
        began = time.perf_counter()
        links: list[tuple[int, int]] = []
        town_of_chat: dict[int, int] = {}
        for town, staff_id in chosen:
            answer = await control.post("/users", json={"first_name": "w", "started": True})
            user = answer.json()["result"]
            links.append((user["id"], staff_id))
            town_of_chat[user["id"]] = town
        async with db.transaction():
            await db.executemany("UPDATE staff SET tg_user_id = ? WHERE id = ?", links)
        await db.close()
        print(f"fan-out: {len(links)} workers linked ({time.perf_counter() - began:.0f} s)")
        config = folder / "config.toml"
        config.write_text(
            f'[telegram]\napi_base_url = "http://127.0.0.1:{port}/bot"\n'
            'poll_timeout = "2s"\n'
            "[telegram.rate_limit]\nenabled = true\n"
            f'[database]\npath = "{path}"\n'
            f"[health]\nenabled = true\nport = {health}\n"
            "[backup]\nenabled = false\n"
            "[cadre.digest]\nenabled = false\n"
            "[cadre.assessment]\nenabled = false\n"
            # Due since the 1st of this month and not again before the next: a run that
            # crosses an hour (or a day) is still one run.
            '[reminders]\nmonthly_contact = ["0 0 1 * *"]\nquarterly_visit = []\n'
            'weekly_checkin = []\npension = []\nquiet_start = "00:00"\nquiet_end = "00:00"\n'
            'catch_up_after = "10s"\n'
        )
        started = time.perf_counter()
        bot = child("run", "--config", str(config), env={**os.environ, "GRIDBOT_TOKEN": TOKEN})
        async with httpx.AsyncClient(timeout=5) as http:
            while True:
                try:
                    if (await http.get(f"http://127.0.0.1:{health}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if bot.poll() is not None:
                    raise SystemExit("the bot stopped at start-up")
                await asyncio.sleep(0.1)
            up = time.perf_counter() - started
            print(f"start-up of `gridbot run` on the county database: {up:.1f} s to healthy")
            await asyncio.sleep(3)
            print(f"RSS of the running bot, idle: {rss_mb(bot.pid):.0f} MB")
            sends: list[dict[str, Any]] = []
            delivered, seen = 0, 0  # calls read so far (of every method): read only new ones
            peak = 0.0
            last_seen = time.perf_counter()
            while delivered < len(links):
                await asyncio.sleep(2)
                peak = max(peak, rss_mb(bot.pid))
                fresh = (await control.get("/calls", params={"since": seen})).json()["result"]
                if fresh:
                    seen = fresh[-1]["index"] + 1
                    fresh = [c for c in fresh if c["method"].lower() == "sendmessage"]
                if fresh:
                    last_seen = time.perf_counter()
                    sends.extend(fresh)
                    delivered += sum(1 for c in fresh if c["response"].get("ok"))
                if time.perf_counter() - last_seen > 60:
                    print("  (no send for a minute: stopping the wait)")
                    break
            metrics = (await http.get(f"http://127.0.0.1:{health}/metrics")).text
        report_fan_out(sends, town_of_chat, towns, len(links), peak, metrics, args)
    finally:
        for proc in (bot, sandbox):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)


def report_fan_out(
    sends: list[dict[str, Any]],
    town_of_chat: dict[int, int],
    towns: dict[int, str],
    linked: int,
    peak: float,
    metrics: str,
    args: argparse.Namespace,
) -> None:
    """Print the fan-out's figures."""
    ok = [c for c in sends if c["response"].get("ok")]
    flooded = [c for c in sends if c["response"].get("error_code") == 429]
    chats = [int(c["params"]["chat_id"]) for c in ok]
    if len(set(chats)) != len(chats):
        print(f"  !! {len(chats) - len(set(chats))} workers reminded twice")
    if not ok:
        print("fan-out: nothing was sent")
        return
    start, end = ok[0]["time"], ok[-1]["time"]
    took = end - start
    rate = (len(ok) - 1) / took if took > 0 else float("nan")
    print(
        f"fan-out of {len(ok)}/{linked} reminders: {took:.1f} s, {rate:.1f} sends/s, "
        f"{len(flooded)} answered 429; peak RSS of the bot while sending {peak:.0f} MB"
    )
    first: dict[int, float] = {}
    for c in ok:
        first.setdefault(town_of_chat[int(c["params"]["chat_id"])], c["time"] - start)
    waits = sorted(first.values())
    print(
        "each town's first reminder after the run's first: "
        f"median {statistics.median(waits):.2f} s, last town {waits[-1]:.2f} s "
        f"({len(first)} of {len(towns)} towns)"
    )
    if args.sends < 32_000 and rate == rate:
        print(
            f"extrapolated (not measured): 32 000 sends at {rate:.1f}/s take "
            f"{32_000 / rate / 60:.1f} min"
        )
    for line in metrics.splitlines():
        if line.startswith("gridbot_send_run_seconds{"):
            print(f"  /metrics: {line}")


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "county.sqlite3"
        db = await Database.open(path)
        try:
            await measure_in_process(db, path, args)
        finally:
            await db.close()
        if args.sends:
            await fan_out(path, folder, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--towns", type=int, default=30)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--sends", type=int, default=3000, help="0: no fan-out")
    parser.add_argument("--runs", type=int, default=5)
    began = time.monotonic()
    asyncio.run(main(parser.parse_args()))
    print(f"(the whole benchmark took {time.monotonic() - began:.0f} s)")
