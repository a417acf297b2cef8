"""A town-wide reminder run: 1084 workers of the sample town, Telegram's flood limits on in the
sandbox, the bot's rate limiter on — every worker reminded once, not one 429. (~40 s: the
only slow test; 1084 messages at 30 per second.)"""

from __future__ import annotations

from pathlib import Path

from bot.clock import to_ts
from bot.demo.stage import Stage
from bot.storage import grid
from services.sample_town import build_sample_town
from tests.e2e.households_steps import local


async def test_town_wide_monthly_reminder_within_flood_limits(tmp_path: Path) -> None:
    stage = Stage(
        tmp_path,
        build_sample_town(),
        settings={"telegram": {"rate_limit": {"enabled": True}}},
        flood_limits=True,
    )
    await stage.open()
    try:
        db = stage.db
        rows = await db.fetchall("SELECT id, code FROM staff WHERE level = 4 ORDER BY id")
        assert len(rows) == 1084
        users = {}
        async with db.transaction():
            for row in rows:
                user = stage.sb.add_user(f"网格员{row['code']}", language_code="zh")
                stage.sb.start_bot(user)
                await grid.link_staff(db, row["id"], user.id, to_ts(stage.clock.now()))
                users[row["id"]] = user
        stage.clock.set(local(2026, 6, 20, 10, 0))
        calls_before = len(stage.sb.calls)
        await stage.run_job("reminders:monthly_contact")
        calls = stage.sb.calls[calls_before:]
        assert [c for c in stage.sb.calls if c.response.get("error_code") == 429] == []
        sent = [c for c in calls if c.method == "sendMessage" and c.ok]
        assert len(sent) == 1084
        assert {int(c.params["chat_id"]) for c in sent} == {u.id for u in users.values()}
        statuses = await db.fetchall(
            "SELECT status, COUNT(*) FROM ledger WHERE kind = 'reminder:monthly_contact' "
            "GROUP BY status"
        )
        assert [tuple(r) for r in statuses] == [("sent", 1084)]
        one = stage.sb.bot_messages(next(iter(users.values())))[-1]["text"]
        assert "一月一联系提醒" in one and "本月还有" in one
    finally:
        await stage.close()
