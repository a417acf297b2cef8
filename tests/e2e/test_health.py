"""/healthz and /metrics of the running bot, scraped over HTTP and parsed as Prometheus text."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import to_ts
from bot.health_http import start_health_server
from bot.runtime import GridContext
from sandbox.state import Chat, User
from tests.e2e.harness import Harness
from tests.e2e.reporting import file_report
from tests.ports import free_port


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape: (name, sorted labels) → value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
async def scrape(h: Harness) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client against a standalone health server on the running bot's monitor."""
    runner = await start_health_server(h.rt.monitor, "127.0.0.1", 0)
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as session:
        yield session
    await runner.cleanup()


async def get_metrics(session: aiohttp.ClientSession) -> dict:
    async with session.get("/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return samples(await response.text())


async def test_metrics_count_updates_reports_and_api_errors(
    h: Harness, scrape: aiohttp.ClientSession, town: tuple[User, User, Chat]
) -> None:
    _worker, resident, chat = town
    before = await get_metrics(scrape)
    await file_report(h, resident, chat)
    await file_report(h, resident, chat, "井盖丢了")
    silent = await h.staff("L4B", "王芳", started=False)  # never opened the bot: 403
    other = await h.group("渣塘冲组联系群", [resident, silent], bind_code="M2", by=silent)
    await file_report(h, resident, other, "垃圾没人收")
    after = await get_metrics(scrape)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("gridbot_updates_total", kind="callback_query") == 3
    assert grew("gridbot_updates_total", kind="message") >= 3
    assert after[("gridbot_reports", (("status", "new"),))] == 3
    assert grew("gridbot_bot_api_errors_total", code="403") >= 1
    assert grew("gridbot_handler_errors_total", source="update") == 0
    assert after[("gridbot_last_backup_timestamp_seconds", ())] == 0
    await h.run_job("backup")
    stamp = (await get_metrics(scrape))[("gridbot_last_backup_timestamp_seconds", ())]
    assert stamp == h.clock.now().timestamp() // 1


async def test_job_runs_durations_and_job_errors(h: Harness, scrape: aiohttp.ClientSession) -> None:
    assert h.app is not None and h.app.job_queue is not None
    queue = h.app.job_queue
    queue.scheduler.remove_all_jobs()  # only the probes run on the real scheduler
    executed: list[str] = []
    both_ran = asyncio.Event()

    def on_executed(event: JobExecutionEvent) -> None:  # called after the monitor's listener
        executed.append(event.job_id)
        if len(executed) == 2:
            both_ran.set()

    async def probe(context: GridContext) -> None:
        pass

    async def broken(context: GridContext) -> None:
        raise RuntimeError("probe failure")

    queue.scheduler.add_listener(on_executed, EVENT_JOB_EXECUTED)
    queue.scheduler.resume()
    queue.run_once(broken, when=0, name="broken-probe")
    queue.run_once(probe, when=0.01, name="probe")
    await asyncio.wait_for(both_ran.wait(), 5)
    found = await get_metrics(scrape)
    assert found[("gridbot_job_runs_total", (("job", "probe"),))] == 1
    assert found[("gridbot_job_duration_seconds_count", (("job", "probe"),))] == 1
    assert found[("gridbot_job_runs_total", (("job", "broken-probe"),))] == 1
    assert found[("gridbot_handler_errors_total", (("source", "job"),))] == 1


async def test_healthz_names_what_is_wrong(h: Harness, scrape: aiohttp.ClientSession) -> None:
    async with scrape.get("/healthz") as response:
        assert response.status == 200
        assert await response.json() == {
            "status": "ok",
            "checks": {
                "database": "ok",
                "updates": "ok",
                "jobs": "ok",
                "inbox": "ok",
                "outbox": "ok",
            },
        }

    # Polling stopped, an update stored but never finished, a notice long past its time.
    await h.stop_polling()
    await h.rt.outbox.stop()
    now = to_ts(h.clock.now())
    async with h.db.transaction():
        await h.db.execute(
            "INSERT INTO inbox_updates (update_id, chat_key, payload, received_at) "
            "VALUES (999999, 1, '{}', ?)",
            (now - 900,),
        )
        await h.db.execute(
            "INSERT INTO outbox (dedupe_key, method, chat_id, params, recipient, created_at, "
            "next_at) VALUES ('stuck', 'sendMessage', 1, '{}', 'staff', ?, ?)",
            (now - 700, now - 700),
        )
    async with scrape.get("/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "failing"
    assert body["checks"]["updates"] == "not polling"
    assert body["checks"]["inbox"] == "1 update(s) unfinished, the oldest for 900s"
    assert body["checks"]["outbox"] == "a notice waits 700s past its time"
    assert body["checks"]["database"] == "ok"


async def test_healthz_fails_when_polling_gets_nowhere(
    h: Harness, scrape: aiohttp.ClientSession
) -> None:
    monitor = h.rt.monitor
    someone = h.user("王秀英")
    await h.send(someone, someone, "/help")
    assert monitor.last_poll is not None  # getUpdates has answered
    h.sb.world.webhook = {"url": "https://elsewhere.example.org/hook"}  # getUpdates: 409
    monitor.last_poll = time.monotonic() - 1000
    async with scrape.get("/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["checks"]["updates"].startswith("no successful getUpdates for ")
    h.sb.world.webhook = {"url": ""}


async def test_health_server_follows_the_config(tmp_path: Path) -> None:
    port = free_port()
    h = await Harness(tmp_path, settings={"health": {"enabled": True, "port": port}}).open()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert "gridbot_updates_total" in await response.text()
        await h.stop_bot()
        with socket.socket() as probe:  # the port is free again after shutdown
            probe.bind(("127.0.0.1", port))
    finally:
        await h.close()
