"""The real `gridbot run` process killed with SIGKILL in the middle of a reminder run over two
towns (Telegram's flood limits on in the sandbox, the bot's rate limiter on), then started
again: the run is finished by the new process, nobody is reminded twice, nobody is left out
but the few whose send was in flight at the kill (recorded 'unknown', never resent), and not
one 429."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import to_ts
from bot.storage import grid
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from tests.county import towns_roster
from tests.crash.fanout import Run

KIND = "reminder:monthly_contact"
SEEDS = [int(s) for s in os.environ.get("CRASH_SEEDS", "11,23,37,41").split(",")[:2]]
SIZES = [30, 12]
WAIT = 120.0
IN_FLIGHT = 4  # [reminders] parallel_sends


class Reminded(Run):
    """Two towns' workers, each linked to a sandbox account; a monthly-contact run due."""

    def __init__(self, tmp: Path, sizes: list[int] = SIZES) -> None:
        super().__init__(tmp)
        self.sizes = sizes
        self.workers: set[int] = set()

    async def prepare(self) -> Reminded:
        # Every hour is an occurrence of the monthly-contact run, so one is due whenever the
        # test runs; caught up a second after each start.
        await self.open(
            '[reminders]\nmonthly_contact = ["0 * * * *"]\nquarterly_visit = []\n'
            'weekly_checkin = []\npension = []\nquiet_start = "00:00"\nquiet_end = "00:00"\n'
            'catch_up_after = "1s"\n'
        )
        now = datetime.now(UTC)
        db = await Database.open(self.db_path)
        try:
            roster = towns_roster(self.sizes)
            await apply_roster(db, roster, now - timedelta(days=60), actor="test")
            async with db.transaction():
                for row in await db.fetchall("SELECT id FROM staff ORDER BY id"):
                    user = self.sb.add_user(f"worker {row['id']}")
                    self.sb.start_bot(user)
                    await grid.link_staff(db, row["id"], user.id, to_ts(now))
                    self.workers.add(user.id)
        finally:
            await db.close()
        return self

    def reminders(self) -> list[int]:
        """Chats of the reminders the sandbox accepted, in order."""
        return self.sent_to(self.workers)


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
async def run(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Reminded, int]]:
    opened = await Reminded(tmp_path).prepare()
    try:
        yield opened, request.param
    finally:
        await opened.close()


async def test_a_run_killed_half_way_is_finished_once_after_the_restart(
    run: tuple[Reminded, int],
) -> None:
    place, seed = run
    total = len(place.workers)
    kill_at = random.Random(seed).randrange(3, total - 10)
    place.start()
    await place.sb.wait_for(lambda: len(place.reminders()) >= kill_at, WAIT)
    place.kill()
    before = len(place.reminders())
    assert before < total, "the run finished before the kill"
    place.start()

    def finished() -> bool:
        statuses = place.ledger(KIND)
        return sum(statuses.values()) == total and not statuses["pending"] + statuses["sending"]

    await place.sb.wait_for(finished, WAIT)
    got = place.reminders()
    statuses = place.ledger(KIND)
    assert len(got) == len(set(got)), "a worker was reminded twice"
    assert place.flooded() == 0
    # Everyone got theirs, but the few in flight at the kill: unknown, never resent.
    assert statuses["unknown"] <= IN_FLIGHT and statuses["failed"] == 0
    assert statuses["sent"] + statuses["unknown"] == total
    # Those recorded sent did arrive; an unknown one may have arrived before the kill.
    assert statuses["sent"] <= len(got) <= statuses["sent"] + statuses["unknown"]
    assert len(got) > before  # the new process carried on


async def test_a_stop_mid_run_ends_at_once_and_the_restart_sends_the_rest(
    tmp_path: Path,
) -> None:
    """SIGTERM in the middle of a run of ~28 s: the process ends within seconds (the senders
    finish the sends in flight and take no more), nothing is left half-sent, and the next
    process reminds everyone else, each once."""
    place = await Reminded(tmp_path, [600, 240]).prepare()
    try:
        total = len(place.workers)
        place.start()
        await place.sb.wait_for(lambda: len(place.reminders()) >= 60, WAIT)
        assert place.proc is not None
        place.proc.terminate()
        began = time.monotonic()
        # The sandbox runs in this event loop: wait without blocking it.
        await asyncio.to_thread(place.proc.wait, 60)
        took = time.monotonic() - began
        stopped = place.ledger(KIND)
        assert took < 10, f"the stop took {took:.1f} s"
        assert stopped["pending"] > total // 2 and stopped["sending"] == stopped["unknown"] == 0
        place.start()

        def finished() -> bool:
            statuses = place.ledger(KIND)
            return statuses["sent"] + statuses["failed"] == total

        await place.sb.wait_for(finished, WAIT)
        got = place.reminders()
        assert len(got) == len(set(got)) == total, "each worker reminded once"
        assert place.ledger(KIND)["sent"] == total and place.flooded() == 0
    finally:
        await place.close()
