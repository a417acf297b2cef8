"""Announcements to a few hundred groups through the rate limiter, with the sandbox's flood
limits on: progress edits, failures, a queued second announcement, restart and resume."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.clock import to_ts
from bot.demo.stage import Stage, buttons
from services.sample_town import build_sample_town

GROUPS = 300
SETTINGS = {
    "telegram": {"rate_limit": {"enabled": True}},
    "cadre": {"announcements": {"progress_every": "1s"}},
}


@pytest.fixture
async def town(tmp_path):
    stage = await Stage(tmp_path, build_sample_town(), settings=SETTINGS, flood_limits=True).open()
    try:
        yield stage
    finally:
        await stage.close()


async def _bound_groups(stage: Stage, count: int) -> list:
    """`count` groups with the bot in them, bound to the first micro-grids (set up directly)."""
    owner = stage.user("群主")
    rows = await stage.db.fetchall(
        "SELECT id, name FROM units WHERE level = 4 ORDER BY code LIMIT ?", (count,)
    )
    chats = []
    now = to_ts(stage.clock.now())
    async with stage.db.transaction():
        for row in rows:
            chat = stage.sb.add_group(f"{row['name']}联系群", members=[owner])
            chats.append(chat)
            await stage.db.execute(
                "INSERT INTO groups (chat_id, title, micro_grid_id, active, added_at, "
                "updated_at) VALUES (?, ?, ?, 1, ?, ?)",
                (chat.id, chat.title, row["id"], now, now),
            )
    return chats


async def _compose(stage: Stage, cadre, pick: str, text: str) -> None:
    await stage.send(cadre, cadre, "/announce")
    picker = stage.last(cadre)
    label = next(k for k in buttons(picker) if pick in k and k.startswith("✅"))
    await stage.press(cadre, picker, buttons(picker)[label])
    assert "请发送要发给" in stage.last_text(cadre)
    await stage.send(cadre, cadre, text)
    preview = stage.last(cadre)
    assert text in preview["text"] and "通知" in preview["text"]
    await stage.press(cadre, preview, buttons(preview)["✅ 确认发送"])


def _group_sends(stage: Stage, marker: str) -> list[int]:
    return [
        int(c.params["chat_id"])
        for c in stage.sb.calls_to("sendMessage")
        if c.ok and int(c.params["chat_id"]) < 0 and marker in c.params.get("text", "")
    ]


async def test_announcement_to_hundreds_of_groups(town):
    stage = town
    code = await stage.db.scalar("SELECT code FROM staff WHERE level = 1 ORDER BY code")
    cadre = await stage.staff(code, "镇干部")
    chats = await _bound_groups(stage, GROUPS)
    silently_gone = chats[-5:]  # the bot was removed while it was down: it never heard
    for chat in silently_gone:
        chat.bot_status = "kicked"
    await _compose(stage, cadre, "镇", "明天上午九点在村部召开群众大会。")
    assert "共300个群" in stage.last_text(cadre) or "300" in stage.last_text(cadre)
    # Five more groups remove the bot while the announcement goes out (sent last: delivery
    # goes by chat id, and these have the highest ids).
    removed = chats[:5]
    for chat in removed:
        await stage.settle(stage.sb.remove_bot_from_group(stage.user("群主"), chat))
    # A second announcement while the first runs waits its turn.
    grid_name = await stage.db.scalar(
        "SELECT g.name FROM units g WHERE g.level = 3 ORDER BY g.code LIMIT 1"
    )
    await stage.send(cadre, cadre, "/announce")
    picker = stage.last(cadre)
    village = next(k for k in buttons(picker) if not k.startswith(("✅", "⬆")))
    await stage.press(cadre, picker, buttons(picker)[village])
    picker = stage.sb.message(cadre, picker["message_id"])
    await stage.press(cadre, picker, buttons(picker)[grid_name])
    picker = stage.sb.message(cadre, picker["message_id"])
    label = next(k for k in buttons(picker) if k.startswith("✅"))
    await stage.press(cadre, picker, buttons(picker)[label])
    await stage.send(cadre, cadre, "第二条：请各户检查电线。")
    preview = stage.last(cadre)
    await stage.press(cadre, preview, buttons(preview)["✅ 确认发送"])
    assert "前面还有1条通知正在发送" in stage.last_text(cadre)

    # Stop the bot part-way, then start it again: delivery resumes where it stopped.
    await stage.sb.wait_for(lambda: len(_group_sends(stage, "群众大会")) >= 100, timeout=30)
    await stage.restart()
    sent_before_resume = len(_group_sends(stage, "群众大会"))
    assert sent_before_resume < GROUPS - 10
    await stage.run_job("announcements-resume")
    await stage.sb.wait_for(
        lambda: sum("通知发送完成" in t for t in stage.bot_texts(cadre)) >= 2, timeout=60
    )

    first = Counter(_group_sends(stage, "群众大会"))
    assert len(first) == GROUPS - 10 and set(first.values()) == {1}  # nobody got it twice
    second = _group_sends(stage, "检查电线")
    assert len(second) == len(set(second)) > 0
    kinds = [
        "a" if "群众大会" in c.params["text"] else "b"
        for c in stage.sb.calls_to("sendMessage")
        if int(c.params["chat_id"]) < 0
        and ("群众大会" in c.params.get("text", "") or "检查电线" in c.params.get("text", ""))
    ]
    assert "".join(kinds) == "a" * kinds.count("a") + "b" * kinds.count("b")  # not interleaved
    assert [c for c in stage.sb.calls if c.response.get("error_code") == 429] == []
    done = [t for t in stage.bot_texts(cadre) if "通知发送完成" in t]
    assert "290/300个群已送达；失败10个（其中10个群" in done[0]
    edits = [
        c for c in stage.sb.calls_to("editMessageText") if "通知发送中" in c.params.get("text", "")
    ]
    assert len(edits) >= 3  # progress shown as it went (every second here)
    gone = {c.id for c in silently_gone + removed}
    rows = await stage.db.fetchall("SELECT chat_id, active FROM groups")
    assert {r["chat_id"] for r in rows if not r["active"]} == gone
