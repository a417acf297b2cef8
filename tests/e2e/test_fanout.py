"""A reminder run over several towns through the real bot and the sandbox with Telegram's
flood limits on: the towns' sends interleave in what the sandbox received (one town's run
never waits behind another's), not one 429, and a run stopped half-way resumes after a
restart with nobody reminded twice and nobody forgotten."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import to_ts
from bot.demo.stage import Stage
from bot.storage import grid
from models.digest import SpanKind, span_containing
from services import ledger
from services.digest import build_digest
from tests.county import towns_roster
from tests.e2e.households_steps import local

KIND = "reminder:monthly_contact"
SIZES = [40, 8]


@pytest.fixture
async def stage(tmp_path: Path) -> AsyncIterator[Stage]:
    opened = await Stage(
        tmp_path,
        towns_roster(SIZES),
        settings={"telegram": {"rate_limit": {"enabled": True}}},
        flood_limits=True,
    ).open()
    try:
        yield opened
    finally:
        await opened.close()


async def link_workers(stage: Stage) -> dict[int, str]:
    """Give every worker a started Telegram account; returns chat id -> town code."""
    db = stage.db
    rows = await db.fetchall(
        "SELECT s.id, s.code, t.code AS town FROM staff s "
        "JOIN staff_units su ON su.staff_id = s.id JOIN units u ON u.id = su.unit_id "
        "JOIN units t ON t.id = u.l1_id ORDER BY s.id"
    )
    town_of: dict[int, str] = {}
    async with db.transaction():
        for row in rows:
            user = stage.sb.add_user(f"网格员{row['code']}", language_code="zh")
            stage.sb.start_bot(user)
            await grid.link_staff(db, row["id"], user.id, to_ts(stage.clock.now()))
            town_of[user.id] = row["town"]
    return town_of


def reminders_received(stage: Stage, since: int = 0) -> list[int]:
    """Chats of the reminders the sandbox accepted, in the order it received them."""
    return [
        int(c.params["chat_id"])
        for c in stage.sb.calls[since:]
        if c.method == "sendMessage" and c.ok and "一月一联系提醒" in str(c.params.get("text"))
    ]


def no_429(stage: Stage) -> bool:
    return not [c for c in stage.sb.calls if c.response.get("error_code") == 429]


async def test_towns_interleave_within_the_flood_limits(stage: Stage) -> None:
    town_of = await link_workers(stage)
    stage.clock.set(local(2026, 6, 20, 10, 0))
    await stage.run_job("reminders:monthly_contact")
    assert no_429(stage)
    chats = reminders_received(stage)
    assert sorted(chats) == sorted(town_of)  # every worker once
    towns = [town_of[c] for c in chats]
    # The small town does not wait behind the big one: its sends are spread over the start,
    # one in turn with the big town's (give or take the sends in flight at once).
    assert "T1" in towns[:4]
    in_flight = stage.rt.config.reminders.parallel_sends
    for n in range(1, 2 * SIZES[1]):
        head = towns[:n]
        assert abs(head.count("T0") - head.count("T1")) <= in_flight, towns
    assert towns[-SIZES[0] + SIZES[1] :] == ["T0"] * (SIZES[0] - SIZES[1])
    # The town's digest of the day says how long the run took.
    town = await grid.unit_by_code(stage.db, "T0")
    assert town is not None
    now = stage.clock.now()
    async with stage.db.transaction():
        digest = await build_digest(
            stage.db,
            stage.rt.config,
            town,
            span_containing(SpanKind.DAY, now, stage.rt.config.tz),
            now,
        )
    [run] = digest.extras.runs
    assert (run.kind, run.sent, run.left) == (KIND, sum(SIZES), 0)
    assert run.finished_at is not None and run.finished_at >= run.started_at


async def test_a_run_stopped_half_way_resumes_after_a_restart(stage: Stage) -> None:
    town_of = await link_workers(stage)
    stage.clock.set(local(2026, 6, 20, 10, 0))
    assert stage.app is not None
    job = stage.app.job_queue.get_jobs_by_name("reminders:monthly_contact")[0]  # type: ignore[union-attr]
    running = asyncio.create_task(job.run(stage.app))
    # Stop the bot while the run is going (30 reminders out).
    await stage.sb.wait_for(lambda: len(reminders_received(stage)) > 30, timeout=30)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await stage.restart()
    # The catch-up runs `catch_up_after` (30 s) after the start: Telegram's one-second window
    # of the stopped process is long over by then.
    stage.sb.flood.reset()
    first = reminders_received(stage)
    since = len(stage.sb.calls)
    # The new process catches up what is due and finishes the run.
    await stage.run_job("reminders:catch-up")
    second = reminders_received(stage, since)
    assert no_429(stage)
    counts = await ledger.counts(stage.db, KIND)
    got = first + second
    assert len(got) == len(set(got))  # nobody reminded twice
    # Nobody forgotten: each worker got one, or the stop left their send's outcome unknown
    # (at most the sends that were in flight).
    assert counts["pending"] == 0 and counts["failed"] == 0
    assert counts["sent"] + counts.get("unknown", 0) == len(town_of)
    assert counts.get("unknown", 0) <= stage.rt.config.reminders.parallel_sends
    assert len(got) >= counts["sent"]
