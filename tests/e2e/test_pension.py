"""Pension-authentication help end to end: both branches, every validation, the worker's
buttons, the requester told at each step, deadlines, permissions and restarts."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from sandbox.state import User
from scheduler.deadlines import JOB_NAME
from tests.e2e.flowsteps import link_household, table_dump, tap, town, with_button
from tests.e2e.harness import Harness, buttons

WHOLE_ID = "430124193301011234"
HOME, SELF_SERVICE, POINT = "🏠 行动不便，需要上门", "📱 会用手机自助认证", "🏢 能去服务点办理"
SCHEDULE, DONE, FAIL = "📅 安排上门时间", "✅ 已完成认证", "❌ 无法完成"


async def _fill(
    h: Harness,
    user: User,
    family: bool = True,
    name: str = "李桂英",
    last4: str = "0213",
    phone: str = "13800001111",
) -> None:
    await h.send(user, user, "/pension")
    await tap(h, user, user, "家里老人（家属代办）" if family else "我本人")
    await h.send(user, user, name)
    await h.send(user, user, last4)
    await h.send(user, user, phone)


async def _request(h: Harness, user: User) -> int:
    await _fill(h, user)
    await tap(h, user, user, HOME)
    await tap(h, user, user, "📨 提交申请")
    number = await h.db.scalar("SELECT MAX(id) FROM pension_requests")
    assert number is not None and f"P{number}" in h.last_text(user)
    return int(number)


async def _events(h: Harness, number: int) -> list[str]:
    rows = await h.db.fetchall(
        "SELECT action FROM case_events WHERE kind = 'home_visit' AND case_id = ? ORDER BY id",
        (number,),
    )
    return [r[0] for r in rows]


async def test_family_member_home_visit_scheduled_then_done(h: Harness) -> None:
    worker, resident, _ = await town(h)
    await _fill(h, resident)
    await tap(h, resident, resident, HOME)
    confirm = h.last_text(resident)
    assert "家属代办" in confirm and "李桂英" in confirm and "0213" in confirm
    assert "13800001111" in confirm and "益家冲组" in confirm
    await tap(h, resident, resident, "📨 提交申请")
    told = h.last_text(resident)
    assert "P1" in told and "张秀兰" in told and "2026-06-13 10:00" in told
    assert buttons(h.last(resident)) == {"📇 网格联系卡": "fc:card"}
    card = h.last(worker)
    assert "李桂英（身份证后四位 0213）" in card["text"] and "王秀英（家属代办）" in card["text"]
    assert set(buttons(card)) == {SCHEDULE, DONE, FAIL}
    await h.send(worker, worker, "/tasks")
    assert any("养老认证上门（1 件）" in text for text in h.bot_texts(worker))
    # Schedule: a day, then a time, chosen with buttons on the same message.
    await h.press(worker, card, buttons(card)[SCHEDULE])
    days = h.sb.message(worker, card["message_id"])
    assert list(buttons(days))[:2] == ["今天", "明天"] and "↩️ 返回" in buttons(days)
    await h.press(worker, days, buttons(days)["明天"])
    times = h.sb.message(worker, card["message_id"])
    assert set(buttons(times)) == {"09:00", "10:30", "14:30", "16:00", "↩️ 返回"}
    await h.press(worker, times, buttons(times)["10:30"])
    assert "将于 2026-06-11 10:30 上门" in h.last_text(resident)
    assert "张秀兰（13900000007）" in h.last_text(resident)
    card = h.sb.message(worker, card["message_id"])
    assert "上门时间：2026-06-11 10:30" in card["text"] and set(buttons(card)) == {
        SCHEDULE,
        DONE,
        FAIL,
    }
    h.clock.advance(timedelta(days=1, hours=1))
    await h.press(worker, card, buttons(card)[DONE])
    assert "已完成认证" in h.last_text(resident)
    card = h.sb.message(worker, card["message_id"])
    assert buttons(card) == {} and "状态：已完成认证" in card["text"]
    row = await h.db.fetchone("SELECT * FROM pension_requests WHERE id = 1")
    assert row["status"] == "done" and row["for_self"] == 0 and row["mode"] == "home_visit"
    assert row["visit_at"] is not None and row["closed_at"] is not None
    assert await _events(h, 1) == ["requested", "schedule", "done"]


async def test_myself_with_self_service_and_service_point_guides(h: Harness) -> None:
    _, resident, _ = await town(h)
    await _fill(h, resident, family=False, name="王秀英")
    await tap(h, resident, resident, SELF_SERVICE)
    assert "湖南智慧人社" in h.last_text(resident) and "刷脸" in h.last_text(resident)
    assert buttons(h.last(resident)) == {"📇 网格联系卡": "fc:card"}
    await _fill(h, resident, family=False, name="王秀英")
    await tap(h, resident, resident, POINT)
    assert "便民服务中心" in h.last_text(resident)
    rows = await h.db.fetchall("SELECT mode, status, for_self FROM pension_requests ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("self_service", "guided", 1),
        ("service_point", "guided", 1),
    ]
    assert await h.db.scalar("SELECT COUNT(*) FROM case_notices") == 0


async def test_each_validation_and_a_whole_id_number_is_never_kept(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/pension")
    await h.send(resident, resident, "我本人")  # buttons expected
    assert "请点按钮" in h.bot_texts(resident)[-2] and "给谁办理" in h.last_text(resident)
    await tap(h, resident, resident, "家里老人（家属代办）")
    await h.send(resident, resident, "李1")
    assert "不含数字" in h.bot_texts(resident)[-2]
    await h.send(resident, resident, "李桂英")
    await h.send(resident, resident, "213")
    assert "正好 4 位" in h.bot_texts(resident)[-2]
    await h.send(resident, resident, WHOLE_ID)
    assert "已经删除" in h.last_text(resident) and "最后 4 位" in h.last_text(resident)
    assert all(WHOLE_ID not in str(m) for m in h.sb.messages(resident))  # deleted from chat
    await h.send(resident, resident, "021x")
    await h.send(resident, resident, "12345")
    assert "电话号码不对" in h.bot_texts(resident)[-2]
    await h.send(resident, resident, "0731-87654321")
    await tap(h, resident, resident, HOME)
    await tap(h, resident, resident, "📨 提交申请")
    row = await h.db.fetchone("SELECT id_last4, phone FROM pension_requests")
    assert tuple(row) == ("021X", "0731-87654321")
    await h.restart()
    dump = await table_dump(h)
    assert WHOLE_ID not in dump and "193301011234" not in dump
    sent = [
        json.dumps(c.params, ensure_ascii=False)
        for c in h.sb.calls
        if c.method not in ("getUpdates",)
    ]
    assert not any(WHOLE_ID in s for s in sent)
    assert not any(WHOLE_ID in text for text in h.bot_texts(resident))
    assert not any(WHOLE_ID in record.getMessage() for record in caplog.records)


async def test_a_whole_id_number_in_another_answer_is_refused_too(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/pension")
    await tap(h, resident, resident, "我本人")
    await h.send(resident, resident, f"王秀英 {WHOLE_ID}")
    assert "已经删除" in h.last_text(resident) and "姓名" in h.bot_texts(resident)[-2]
    assert WHOLE_ID not in await table_dump(h)
    await h.send(resident, resident, "王秀英")  # the flow still waits for the name
    assert "最后 4 位" in h.last_text(resident)


async def test_could_not_complete_with_a_reason(h: Harness) -> None:
    worker, resident, _ = await town(h)
    number = await _request(h, resident)
    card = with_button(h, worker, FAIL)
    await h.press(worker, card, buttons(card)[FAIL])
    assert "为什么没能完成" in h.last_text(worker)
    await h.restart()  # the reason step survives
    await h.send(worker, worker, "老人住院了，出院后再约")
    told = h.last_text(resident)
    assert "没能完成" in told and "老人住院了，出院后再约" in told and "13900000007" in told
    row = await h.db.fetchone("SELECT status, outcome_note FROM pension_requests")
    assert tuple(row) == ("failed", "老人住院了，出院后再约")
    assert await _events(h, number) == ["requested", "fail"]
    assert buttons(h.sb.message(worker, card["message_id"])) == {}


async def test_a_visit_past_its_deadline_climbs_to_the_grid_worker(h: Harness) -> None:
    worker, resident, _ = await town(h)
    grid_worker = await h.staff("L3A", "李明")
    number = await _request(h, resident)
    card = with_button(h, worker, SCHEDULE)
    h.clock.advance(timedelta(days=2))
    await h.run_job(JOB_NAME)
    assert await _events(h, number) == ["requested"]
    h.clock.advance(timedelta(days=1, minutes=1))
    await h.run_job(JOB_NAME)
    await h.run_job(JOB_NAME)  # idempotent
    assert await _events(h, number) == ["requested", "escalate_overdue"]
    assert "已转给三级网格员（李明）" in h.last_text(resident)
    escalated = with_button(h, grid_worker, SCHEDULE)
    assert "⚠️ 已超期" in escalated["text"] and "三级网格员" in escalated["text"]
    assert len([t for t in h.bot_texts(grid_worker) if f"P{number}" in t]) == 1
    assert buttons(h.sb.message(worker, card["message_id"])) == {}
    late = await h.press(worker, card, buttons(card)[DONE])
    assert h.answer(late)["show_alert"] is True
    await h.press(grid_worker, escalated, buttons(escalated)[DONE])
    assert "已完成认证" in h.last_text(resident) and "李明" in h.last_text(resident)


async def test_only_staff_of_the_subtree_at_its_level_may_press(h: Harness) -> None:
    worker, resident, _ = await town(h)
    other_worker = await h.staff("L4B", "王芳")
    other_grid = await h.staff("L3C", "黄伟")
    number = await _request(h, resident)
    card = with_button(h, worker, DONE)
    for intruder in (resident, other_worker, other_grid):
        for label in (SCHEDULE, DONE, FAIL):
            press = await h.press(intruder, card, buttons(card)[label])
            assert h.answer(press)["show_alert"] is True, (intruder.first_name, label)
            assert "不能处理" in h.answer(press)["text"]
    assert await _events(h, number) == ["requested"]
    # The grid worker above may act on the micro-grid's visit.
    grid_worker = await h.staff("L3A", "李明")
    await h.press(grid_worker, card, buttons(card)[DONE])
    assert await _events(h, number) == ["requested", "done"]


async def test_restart_in_the_middle_of_the_flow(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/pension")
    await tap(h, resident, resident, "家里老人（家属代办）")
    await h.send(resident, resident, "李桂英")
    await h.restart()
    await h.send(resident, resident, "0213")
    assert "联系电话" in h.last_text(resident)
    await h.restart()
    await h.send(resident, resident, "13800001111")
    await tap(h, resident, resident, HOME)
    assert "李桂英" in h.last_text(resident) and "0213" in h.last_text(resident)


async def test_the_micro_grid_is_asked_when_in_several_groups_and_needed(h: Harness) -> None:
    _worker, resident, _ = await town(h)
    other = await h.staff("L4B", "王芳")
    chat2 = await h.group("渣塘冲组联系群", [resident, other], bind_code="M2", by=other)
    await h.send(resident, chat2, "你好")
    await _fill(h, resident)
    await tap(h, resident, resident, HOME)
    assert "哪个微网格" in h.last_text(resident)
    assert set(buttons(h.last(resident))) == {"益家冲组联系群", "渣塘冲组联系群"}
    await tap(h, resident, resident, "渣塘冲组联系群")
    await tap(h, resident, resident, "📨 提交申请")
    assert "王芳" in h.last_text(resident) and buttons(with_button(h, other, DONE))
    stranger = h.user("路人")
    h.sb.start_bot(stranger)
    await _fill(h, stranger)
    await tap(h, stranger, stranger, HOME)
    assert "还不知道您属于哪个微网格" in h.last_text(stranger)
    assert await h.db.scalar("SELECT COUNT(*) FROM pension_requests") == 1


async def test_the_group_command_points_to_the_private_chat(h: Harness) -> None:
    _, resident, chat = await town(h)
    await h.send(resident, chat, "/pension")
    assert buttons(h.last(chat)) == {"👉 打开私聊": "https://t.me/gridbot_demo_bot?start=pension"}
    await h.send(resident, resident, "/start pension")
    assert "给谁办理" in h.last_text(resident)
    assert len(h.bot_texts(resident)) == 1


async def test_a_linked_household_decides_the_micro_grid(h: Harness) -> None:
    _, resident, _ = await town(h)  # in M1's group
    other = await h.staff("L4B", "王芳")
    await link_household(h, resident, "M2-H1")  # but lives in M2
    await _fill(h, resident)
    await tap(h, resident, resident, HOME)
    assert "渣塘冲组" in h.last_text(resident)
    await tap(h, resident, resident, "📨 提交申请")
    row = await h.db.fetchone("SELECT household_id, micro_grid_id FROM pension_requests")
    assert row["household_id"] is not None
    assert f"P{await h.db.scalar('SELECT id FROM pension_requests')}" in h.last_text(other)


async def test_a_worker_who_never_opened_the_bot_is_mentioned_in_the_group(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰", started=False)
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await h.send(resident, chat, "大家好")
    h.sb.start_bot(resident)
    number = await _request(h, resident)
    mention = h.last_text(chat)
    assert "张秀兰" in mention and f"P{number}" in mention
    assert "李桂英" not in mention and "13800001111" not in mention  # nothing personal
    delivered = await h.db.scalar(
        "SELECT delivered FROM case_notices WHERE kind = 'home_visit' AND case_id = ?", (number,)
    )
    assert delivered == 0
