"""What every step-by-step flow shares: /cancel, the idle timeout, other commands, and the
persistence that carries a flow across restarts."""

from __future__ import annotations

import json
from datetime import timedelta

from scheduler.flows import JOB_NAME
from tests.e2e.flowsteps import link_household, tap, town
from tests.e2e.harness import Harness, buttons


async def _scratch(h: Harness, user_id: int) -> dict[str, object]:
    raw = await h.db.scalar("SELECT data FROM flow_user_data WHERE user_id = ?", (user_id,))
    return json.loads(raw) if raw else {}


async def test_cancel_leaves_the_flow_and_nothing_is_stored(h: Harness) -> None:
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H1")
    await h.send(resident, resident, "/survey")
    question = h.last(resident)
    await h.press(resident, question, buttons(question)["4"])
    assert (await _scratch(h, resident.id))["flow"]["answers"] == {"satisfaction": 4}
    before = len(h.bot_texts(resident))
    await h.send(resident, resident, "/cancel")
    assert h.bot_texts(resident)[before:] == [h.last_text(resident)]  # one answer only
    assert "已退出问卷" in h.last_text(resident)
    assert await _scratch(h, resident.id) == {}
    assert await h.db.scalar("SELECT COUNT(*) FROM flow_conversations") == 0
    assert await h.db.scalar("SELECT COUNT(*) FROM survey_responses") == 0
    stale = await tap(h, resident, resident, "5")
    assert h.answer(stale)["show_alert"] is True and "失效" in h.answer(stale)["text"]
    await h.send(resident, resident, "/cancel")  # nothing left to leave
    assert "没有正在进行的操作" in h.last_text(resident)
    assert len([t for t in h.bot_texts(resident) if "已退出" in t]) == 1


async def test_an_idle_flow_ends_with_a_short_message(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/pension")
    await tap(h, resident, resident, "我本人")
    h.clock.advance(timedelta(hours=5))
    await h.run_job(JOB_NAME)
    assert "请输入您的姓名" in h.last_text(resident)  # not idle long enough
    h.clock.advance(timedelta(hours=1, minutes=1))
    await h.run_job(JOB_NAME)
    assert "养老认证帮助很久没有继续，已自动结束" in h.last_text(resident)
    assert "/pension" in h.last_text(resident)
    assert await _scratch(h, resident.id) == {}
    await h.run_job(JOB_NAME)  # once only
    assert len([t for t in h.bot_texts(resident) if "自动结束" in t]) == 1
    await h.send(resident, resident, "王秀英")
    assert "这一步已经结束了" in h.last_text(resident)
    assert await h.db.scalar("SELECT COUNT(*) FROM pension_requests") == 0


async def test_a_flow_idle_across_a_restart_is_over_when_the_person_comes_back(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/pension")
    await tap(h, resident, resident, "我本人")
    await h.restart()
    h.clock.advance(timedelta(days=1))
    await h.send(resident, resident, "王秀英")
    assert "这一步已经结束了" in h.last_text(resident)
    await h.send(resident, resident, "/pension")  # a fresh start works
    assert "给谁办理" in h.last_text(resident)


async def test_another_command_puts_the_flow_aside_but_help_does_not(h: Harness) -> None:
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H1")
    await h.send(resident, resident, "/survey")
    await h.send(resident, resident, "/help")
    await tap(h, resident, resident, "3")
    assert "第 2/8 题" in h.last_text(resident)
    await h.send(resident, resident, "/report")
    assert any("已暂停问卷（发送 /survey 可以重新开始）" in t for t in h.bot_texts(resident))
    assert await _scratch(h, resident.id) == {}


async def test_a_new_flow_replaces_the_old_one(h: Harness) -> None:
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H1")
    await h.send(resident, resident, "/survey")
    await h.send(resident, resident, "/pension")
    assert "给谁办理" in h.last_text(resident)
    assert (await _scratch(h, resident.id))["flow"]["name"] == "pension"
    await h.send(resident, resident, "4")  # not a survey answer now
    assert "请点按钮" in h.bot_texts(resident)[-2]


async def test_only_the_flow_scratch_is_persisted_never_the_runtime(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/pension")
    assert h.app is not None and h.app.persistence is not None
    assert h.app.persistence.store_data.bot_data is False
    tables = [
        r[0]
        for r in await h.db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'flow_%'"
        )
    ]
    assert sorted(tables) == ["flow_chat_data", "flow_conversations", "flow_user_data"]
    state = await h.db.fetchone("SELECT name, key, state FROM flow_conversations")
    assert tuple(state) == ("flows", f"[{resident.id},{resident.id}]", '"pension:who"')
    assert set((await _scratch(h, resident.id))["flow"]) == {"name", "at", "msg", "step"}
