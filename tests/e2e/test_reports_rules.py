"""Who may press what, concurrency, restarts, deadlines, and the views."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from scheduler.deadlines import JOB_NAME
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import (
    ACCEPT,
    CONFIRM,
    ESCALATE,
    INFRA,
    RESOLVE,
    card_of,
    events_of,
    file_report,
    note,
    press_on,
    status_of,
)


async def test_unauthorised_presses_get_an_alert_and_change_nothing(h: Harness, town) -> None:
    worker, resident, chat = town
    neighbour = h.user("李德福")
    await h.settle(h.sb.join(neighbour, chat))
    other_grid = await h.staff("L3C", "黄伟")
    other_worker = await h.staff("L4B", "王芳")
    number = await file_report(h, resident, chat)
    card = card_of(h, worker, number)
    for intruder in (resident, neighbour, other_grid, other_worker):
        for label in (ACCEPT, RESOLVE, ESCALATE):
            press = await h.press(intruder, card, buttons(card)[label])
            answer = h.answer(press)
            assert answer is not None and answer["show_alert"] is True, intruder.first_name
            assert "不能处理" in answer["text"]
    row = await status_of(h, number)
    assert row["status"] == "new" and row["owner_staff_id"] is None
    assert [e[0] for e in await events_of(h, number)] == ["filed"]
    # The resolution notice's buttons belong to the reporter only.
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "好了")
    notice = h.last(chat)
    press = await h.press(neighbour, notice, buttons(notice)[CONFIRM])
    assert h.answer(press)["show_alert"] is True
    press = await h.press(worker, notice, buttons(notice)[CONFIRM])
    assert h.answer(press)["show_alert"] is True
    assert (await status_of(h, number))["status"] == "resolved"


async def test_a_stale_button_of_a_report_that_moved_on(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    stale = card_of(h, worker, number)
    await h.press(worker, stale, buttons(stale)[ACCEPT])
    press = await h.press(worker, stale, buttons(stale)[ACCEPT])
    answer = h.answer(press)
    assert answer["show_alert"] is True and "已有新进展" in answer["text"]
    assert "处理中" in answer["text"]
    assert [e[0] for e in await events_of(h, number)] == ["filed", "accept"]


async def test_staff_commands_are_refused_to_residents(h: Harness, town) -> None:
    _, resident, chat = town
    await h.send(resident, resident, "/tasks")
    assert "没有权限" in h.last_text(resident)
    await h.send(resident, chat, "/tasks")
    assert "私聊" in h.last_text(chat)


async def test_concurrent_accepts_leave_exactly_one_owner(h: Harness, town) -> None:
    worker, resident, chat = town
    l3a, l3b = await h.staff("L3A", "李明"), await h.staff("L3B", "陈静")
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ESCALATE)
    card_a, card_b = card_of(h, l3a, number), card_of(h, l3b, number)
    press_a = h.sb.press(l3a, card_a, buttons(card_a)[ACCEPT])
    press_b = h.sb.press(l3b, card_b, buttons(card_b)[ACCEPT])
    await asyncio.gather(h.settle(press_a), h.settle(press_b))
    answers = [h.answer(press_a), h.answer(press_b)]
    winners = [a for a in answers if not a.get("show_alert")]
    losers = [a for a in answers if a.get("show_alert")]
    assert len(winners) == 1 and len(losers) == 1
    accepts = [e for e in await events_of(h, number) if e[0] == "accept"]
    assert len(accepts) == 1
    row = await status_of(h, number)
    owner_code = await h.db.scalar("SELECT code FROM staff WHERE id = ?", (row["owner_staff_id"],))
    assert accepts[0][3] == f"staff:{owner_code}"


async def test_restart_in_the_middle_keeps_drafts_notes_and_deadlines(h: Harness, town) -> None:
    worker, resident, chat = town
    await h.staff("L3A", "李明")
    await h.send(resident, chat, "/report")
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[INFRA])
    question = h.last(chat)
    await h.restart()
    await h.send(resident, chat, "路边的树倒了", reply_to=question["message_id"])
    number = await h.db.scalar("SELECT id FROM reports")
    assert number == 1 and "已登记问题" in h.last_text(chat)
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, RESOLVE)
    await h.restart()
    await note(h, worker, "已清理")
    assert (await status_of(h, number))["status"] == "resolved"
    second = await file_report(h, resident, chat, "井盖丢了")
    due = (await status_of(h, second))["accept_due_at"]
    await h.restart()
    assert (await status_of(h, second))["accept_due_at"] == due
    h.clock.advance(timedelta(hours=4, minutes=1))
    await h.run_job(JOB_NAME)
    assert (await status_of(h, second))["level"] == 3


async def test_deadline_sweep_escalates_once_per_breach(h: Harness, town) -> None:
    _, resident, chat = town
    grid_worker = await h.staff("L3A", "李明")
    await h.staff("V1C", "周红梅")
    number = await file_report(h, resident, chat)
    h.clock.advance(timedelta(hours=3, minutes=59))
    await h.run_job(JOB_NAME)
    assert (await status_of(h, number))["level"] == 4
    h.clock.advance(timedelta(minutes=2))
    await h.run_job(JOB_NAME)
    await h.run_job(JOB_NAME)
    row = await status_of(h, number)
    assert row["level"] == 3 and row["overdue"] == 1 and row["escalations"] == 1
    assert "未在规定时间内办理" in h.last_text(chat)
    assert card_of(h, grid_worker, number)
    assert [e[0] for e in await events_of(h, number)] == ["filed", "escalate_overdue"]
    # Accepted at L3 but not resolved within 5 days: flagged and sent up again.
    await press_on(h, grid_worker, number, ACCEPT)
    h.clock.advance(timedelta(days=5, minutes=1))
    await h.run_job(JOB_NAME)
    await h.run_job(JOB_NAME)
    row = await status_of(h, number)
    assert row["level"] == 2 and row["status"] == "new" and row["escalations"] == 2
    # At the town level nothing is left to climb: the report is only flagged.
    h.clock.advance(timedelta(days=2))
    await h.run_job(JOB_NAME)
    h.clock.advance(timedelta(days=3))
    await h.run_job(JOB_NAME)
    await h.run_job(JOB_NAME)
    actions = [e[0] for e in await events_of(h, number)]
    assert actions == [
        "filed",
        "escalate_overdue",
        "accept",
        "escalate_overdue",
        "escalate_overdue",
        "overdue",
    ]
    assert (await status_of(h, number))["level"] == 1


async def test_deadlines_come_from_config(tmp_path) -> None:
    settings = {"reports": {"deadlines": {"l4": {"accept_within": "30m", "resolve_within": "1d"}}}}
    h = await Harness(tmp_path, settings=settings).open()
    try:
        worker = await h.staff("L4A")
        await h.staff("L3A")
        resident = h.user("王秀英")
        chat = await h.group("群", [resident, worker], bind_code="M1", by=worker)
        number = await file_report(h, resident, chat)
        h.clock.advance(timedelta(minutes=31))
        await h.run_job(JOB_NAME)
        assert (await status_of(h, number))["level"] == 3
    finally:
        await h.close()


async def test_my_status_and_tasks(h: Harness, town) -> None:
    worker, resident, chat = town
    neighbour = h.user("李德福")
    await h.settle(h.sb.join(neighbour, chat))
    first = await file_report(h, resident, chat, "路灯坏了")
    second = await file_report(h, neighbour, chat, "邻居家的狗咬人")
    await press_on(h, worker, first, ACCEPT)
    await h.send(resident, chat, "/my")
    mine = h.last_text(chat)
    assert f"#{first}" in mine and "处理中" in mine and f"#{second}" not in mine
    await h.send(resident, resident, "/my")
    assert f"#{first}" in h.last_text(resident)
    await h.send(resident, chat, f"/status {first}")
    status = h.last_text(chat)
    assert "登记" in status and "受理（张秀兰）" in status
    await h.send(resident, chat, f"/status {second}")
    assert f"找不到问题 #{second}" in h.last_text(chat)
    await h.send(resident, chat, "/status abc")
    assert "用法" in h.last_text(chat)
    before = len(h.bot_texts(worker))
    await h.send(worker, worker, "/tasks")
    texts = h.bot_texts(worker)[before:]
    assert "待办问题 2 个" in texts[0]
    assert f"问题 #{first}" in texts[1] and f"问题 #{second}" in texts[2]  # oldest first
    assert "益家冲组联系群" in texts[1]
    outsider = await h.staff("L4D", "赵磊")
    await h.send(outsider, outsider, f"/status {first}")
    assert "找不到问题" in h.last_text(outsider)
    await h.send(outsider, outsider, "/tasks")
    assert any("暂无待办问题" in t for t in h.bot_texts(outsider))


async def test_phones_are_shown_to_workers_never_to_residents(h: Harness, town) -> None:
    worker, resident, chat = town
    await h.db.execute(
        "UPDATE people SET household_id = (SELECT id FROM households "
        "WHERE code = 'M1-H2') WHERE tg_user_id = ?",
        (resident.id,),
    )
    number = await file_report(h, resident, chat)
    phone = await h.db.scalar("SELECT phone FROM households WHERE code = 'M1-H2'")
    assert phone in card_of(h, worker, number)["text"]
    await h.send(resident, chat, f"/status {number}")
    assert all(phone not in t for t in h.bot_texts(chat))
    worker_phone = "13900000007"  # the worker's own number is on the public card only
    assert all(worker_phone not in t for t in h.bot_texts(chat) if "#" in t)


async def test_linked_resident_files_in_private(h: Harness, town) -> None:
    worker, resident, _ = town
    await h.db.execute(
        "UPDATE people SET household_id = (SELECT id FROM households "
        "WHERE code = 'M1-H1') WHERE tg_user_id = ?",
        (resident.id,),
    )
    number = await file_report(h, resident, resident, "家门口的水沟堵了")
    row = await status_of(h, number)
    assert row["source_chat_id"] == resident.id and row["household_id"] is not None
    assert card_of(h, worker, number)
    await press_on(h, worker, number, ACCEPT)
    assert "已由 张秀兰 受理" in h.last_text(resident)
