"""The real `gridbot run` process killed with SIGKILL in the middle of a whole-county
announcement to two towns' groups (Telegram's flood limits on in the sandbox, the bot's rate
limiter on), then started again: the new process finishes it, no group gets it twice, none is
left out but those whose send was under way at the kill (recorded 'unknown', never resent:
at most once), the cadre's summary says so, and not one 429."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock, to_ts
from bot.config import Config
from bot.storage import grid
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from services import announcements
from services.actors import actor_for
from tests.county import towns_roster
from tests.crash.fanout import NO_REMINDERS, Run

SEEDS = [int(s) for s in os.environ.get("CRASH_SEEDS", "11,23,37,41").split(",")[:2]]
SIZES = [40, 16]
WAIT = 120.0
IN_FLIGHT = 8  # [cadre.announcements] parallel_sends
MARKER = "全县防汛通知"


class Announced(Run):
    """Every micro-grid of two towns has a bound group; the county cadre has queued an
    announcement to the whole county (through the service, as /announce does)."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.groups: set[int] = set()
        self.cadre = 0
        self.kind = ""

    async def prepare(self) -> Announced:
        await self.open(NO_REMINDERS)
        clock = SystemClock()
        now = clock.now()
        db = await Database.open(self.db_path)
        try:
            roster = towns_roster(SIZES, county=True)
            await apply_roster(db, roster, now - timedelta(days=60), actor="test")
            cadre = self.sb.add_user("县干部")
            self.sb.start_bot(cadre)
            self.cadre = cadre.id
            owner = self.sb.add_user("群主")
            at = to_ts(now)
            async with db.transaction():
                staff = await db.scalar("SELECT id FROM staff WHERE code = 'K0'")
                await grid.link_staff(db, int(staff), cadre.id, at)
                for row in await db.fetchall("SELECT id, name FROM units WHERE level = 4"):
                    chat = self.sb.add_group(f"{row['name']}群", members=[owner])
                    await db.execute(
                        "INSERT INTO groups (chat_id, title, micro_grid_id, active, added_at, "
                        "updated_at) VALUES (?, ?, ?, 1, ?, ?)",
                        (chat.id, chat.title, row["id"], at, at),
                    )
                    self.groups.add(chat.id)
                county = await db.scalar("SELECT id FROM units WHERE code = 'K'")
            actor = await actor_for(db, cadre.id)
            draft = await announcements.start(db, clock, actor, int(county))
            await announcements.take_text(
                db, clock, Config(), cadre.id, f"{MARKER}：今晚有暴雨，请注意安全。", None, 0
            )
            queued, _ = await announcements.confirm(db, clock, actor, draft.announcement.id)
            self.kind = announcements.ledger_kind(queued.id)
            assert queued.total == len(self.groups) == sum(SIZES)
        finally:
            await db.close()
        return self

    def delivered(self) -> list[int]:
        """Groups the sandbox accepted the announcement for, in order."""
        return self.sent_to(self.groups, MARKER)

    def summary(self) -> str:
        """The cadre's closing summary ('' until it is sent)."""
        texts = [
            c.params["text"]
            for c in self.sb.calls_to("sendMessage")
            if c.ok
            and int(c.params["chat_id"]) == self.cadre
            and "通知发送完成" in c.params["text"]
        ]
        assert len(texts) <= 1, "the summary was sent twice"
        return texts[0] if texts else ""


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
async def place(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Announced, int]]:
    opened = Announced(tmp_path)
    try:
        yield await opened.prepare(), request.param
    finally:
        await opened.close()


async def test_an_announcement_killed_half_way_reaches_each_group_at_most_once(
    place: tuple[Announced, int],
) -> None:
    run, seed = place
    total = len(run.groups)
    kill_at = random.Random(seed).randrange(3, total - 20)
    run.start()
    await run.sb.wait_for(lambda: len(run.delivered()) >= kill_at, WAIT)
    run.kill()
    before = len(run.delivered())
    assert before < total, "the announcement was delivered before the kill"
    status = run.scalar("SELECT status FROM announcements")
    assert status == "running"
    run.start()
    await run.sb.wait_for(lambda: run.summary(), WAIT)
    got = run.delivered()
    statuses = run.ledger(run.kind)
    assert run.scalar("SELECT status FROM announcements") == "done"
    assert len(got) == len(set(got)), "a group got the announcement twice"
    assert run.flooded() == 0
    # Every group got it, but those under way at the kill: unknown, never sent again.
    assert statuses["unknown"] <= IN_FLIGHT and statuses["failed"] == 0
    assert statuses["sent"] + statuses["unknown"] == total
    assert not statuses["pending"] + statuses["sending"]
    # Those recorded sent did arrive; an unknown one may have arrived before the kill.
    assert statuses["sent"] <= len(got) <= statuses["sent"] + statuses["unknown"]
    assert len(got) > before  # the new process carried on
    summary = run.summary()
    assert f"{statuses['sent']}/{total}个群已送达" in summary
    if statuses["unknown"]:
        assert f"另有{statuses['unknown']}个群在机器人重启时正在发送" in summary
    else:
        assert "另有" not in summary
    finished = run.scalar("SELECT finished_at FROM send_runs WHERE kind = ?", (run.kind,))
    assert finished is not None  # the run's end is kept (its duration in /metrics)
