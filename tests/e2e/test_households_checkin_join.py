"""/checkin (presence, flagged far away) and /join (pick, approve or decline, then private
reports) end to end."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import forge, household_id, press_like


async def checkins(h: Harness) -> list[dict]:
    rows = await h.db.fetchall(
        "SELECT s.code, c.unit_id, c.flagged, c.distance_m FROM checkins c "
        "JOIN staff s ON s.id = c.staff_id ORDER BY c.id"
    )
    return [dict(r) for r in rows]


async def test_checkin_inside_and_far_outside_the_area(h: Harness) -> None:
    worker = await h.staff("L4A")  # M1 has a centre (28.2, 112.5) and an 800 m radius
    await h.send(worker, worker, "/checkin")
    assert "发送我的位置" in h.last_text(worker)
    await h.settle(h.sb.send_location(worker, worker, 28.203, 112.501))
    assert "已签到：益家冲组" in h.last_text(worker) and "2026-W24" in h.last_text(worker)
    await h.send(worker, worker, "/checkin")
    await h.settle(h.sb.send_location(worker, worker, 28.30, 112.60))
    assert "标记为异常" in h.last_text(worker)
    rows = await checkins(h)
    assert [(r["code"], r["flagged"]) for r in rows] == [("L4A", 0), ("L4A", 1)]
    assert rows[0]["distance_m"] < 800 and rows[1]["distance_m"] > 10_000


async def test_checkin_without_a_recorded_area_is_never_flagged(h: Harness) -> None:
    grid_worker = await h.staff("L3A")  # G1 has no centre in the test roster
    await h.send(grid_worker, grid_worker, "/checkin")
    await h.settle(h.sb.send_location(grid_worker, grid_worker, 40.0, 116.0))
    assert "已签到" in h.last_text(grid_worker)
    assert [(r["code"], r["flagged"], r["distance_m"]) for r in await checkins(h)] == [
        ("L3A", 0, None)
    ]


async def test_location_without_checkin_is_not_stored(h: Harness) -> None:
    worker = await h.staff("L4A")
    await h.settle(h.sb.send_location(worker, worker, 28.2, 112.5))
    assert "/checkin" in h.last_text(worker)
    assert await checkins(h) == []


@pytest.mark.parametrize(
    "code, allowed", [(None, False), ("L4A", True), ("L3A", True), ("V1C", True), ("C1", True)]
)
async def test_checkin_is_for_staff(h: Harness, code: str | None, allowed: bool) -> None:
    person = await h.staff(code) if code else h.user("王秀英")
    await h.send(person, person, "/checkin")
    await h.settle(h.sb.send_location(person, person, 28.2, 112.5))
    assert len(await checkins(h)) == (1 if allowed else 0)


@pytest.fixture
async def town(h: Harness):
    worker = await h.staff("L4A", "张秀兰")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    return worker, resident, group


async def test_join_approved_then_private_report(h: Harness, town) -> None:
    worker, resident, group = town
    await h.send(resident, group, "/join")
    picker = h.last(group)
    labels = [label for label in buttons(picker) if "户主" in label]
    assert labels == [
        "M1户主1 · M1组**",
        "M1户主2 · M1组**",
        "M1户主3 · M1组**",
        "M1户主4 · M1组**",
    ]
    # No phone numbers in the group (the message's date, a wall-clock time, may hold "138").
    assert "138" not in picker["text"] + str(picker.get("reply_markup"))
    await press_like(h, resident, "M1户主2", message=picker)
    assert "已请 张秀兰 确认" in h.last_text(group)
    request = h.last(worker)
    assert "王秀英" in request["text"] and "M1户主2" in request["text"]
    await h.restart()  # a pending request waits in the database
    await press_like(h, worker, "同意", message=request)
    assert "已同意" in h.last_text(worker)
    linked = await h.db.scalar(
        "SELECT household_id FROM people WHERE tg_user_id = ?", (resident.id,)
    )
    assert linked == await household_id(h, "M1-H2")
    # Not started privately: told in the group.
    assert "已确认您是 M1户主2 户的" in h.last_text(group)
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/report 家门口的水管漏水")
    await press_like(h, resident, "民生基础设施建设")
    assert "已登记问题" in h.last_text(resident)
    row = await h.db.fetchone("SELECT household_id, source_chat_id FROM reports")
    assert tuple(row) == (linked, resident.id)
    # Their household's contacts are known to /join.
    await h.send(resident, group, "/join")
    assert "您现在关联的是 M1户主2 户" in h.last_text(group)


async def test_private_report_needs_a_link(h: Harness, town) -> None:
    _, resident, _ = town
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/report 路灯坏了")
    assert "/join" in h.last_text(resident)
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0


async def test_join_declined_told_privately(h: Harness, town) -> None:
    worker, resident, group = town
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/start")
    await h.send(resident, group, "/join")
    await press_like(h, resident, "M1户主3", message=h.last(group))
    request = h.last(worker)
    await press_like(h, worker, "拒绝", message=request)
    assert "没有同意" in h.last_text(resident)
    assert (
        await h.db.scalar("SELECT household_id FROM people WHERE tg_user_id = ?", (resident.id,))
        is None
    )
    status = await h.db.scalar("SELECT status FROM household_link_requests")
    assert status == "declined"
    pressed = await press_like(h, worker, "同意", message=request)  # the old, stale view
    assert "已经处理过了（已拒绝）" in h.answer(pressed)["text"]


async def test_join_list_is_only_for_who_asked(h: Harness, town) -> None:
    _, resident, group = town
    other = h.user("李德福")
    await h.settle(h.sb.join(other, group))
    await h.send(resident, group, "/join")
    pressed = await press_like(h, other, "M1户主1", message=h.last(group))
    assert "别人的选择列表" in h.answer(pressed)["text"]
    assert await h.db.scalar("SELECT COUNT(*) FROM household_link_requests") == 0


async def test_only_the_units_staff_may_decide(h: Harness, town) -> None:
    worker, resident, group = town
    await h.send(resident, group, "/join")
    await press_like(h, resident, "M1户主1", message=h.last(group))
    request_id = await h.db.scalar("SELECT id FROM household_link_requests")
    other = await h.staff("L4D")  # M4, another village
    await h.send(other, other, "/help")
    pressed = await forge(h, other, h.last(other), f"hl:a:{request_id}")
    assert "不在您分管" in h.answer(pressed)["text"]
    await h.send(other, other, "/tasks")  # another village's worker is not shown it either
    assert not any("住户关联申请" in text for text in h.bot_texts(other))
    pressed = await forge(h, resident, h.last(group), f"hl:a:{request_id}")
    assert "不在您分管" in h.answer(pressed)["text"]  # residents never decide
    assert await h.db.scalar("SELECT status FROM household_link_requests") == "pending"
    grid_worker = await h.staff("L3A")  # G1 covers M1
    await h.send(grid_worker, grid_worker, "/tasks")
    request = next(m for m in h.bot_posts(grid_worker) if "住户关联申请" in m.get("text", ""))
    await press_like(h, grid_worker, "同意", message=request)
    assert await h.db.scalar("SELECT status FROM household_link_requests") == "approved"
    again = await press_like(h, worker, "同意")
    assert "已经处理过了" in h.answer(again)["text"]


async def test_unreachable_worker_is_mentioned_in_the_group(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰", started=False)
    resident = h.user("王秀英")
    binder = await h.staff("L3A", "李明")
    group = await h.group("益家冲组联系群", [resident, binder], bind_code="M1", by=binder)
    await h.send(resident, group, "/join")
    await press_like(h, resident, "M1户主4", message=h.last(group))
    mention = h.last(group)
    assert "张秀兰" in mention["text"] and "/tasks" in mention["text"]
    assert [e["user"]["id"] for e in mention["entities"] if e["type"] == "text_mention"] == [
        worker.id
    ]
    h.sb.start_bot(worker)
    await h.send(worker, worker, "/tasks")
    request = next(m for m in h.bot_posts(worker) if "住户关联申请" in m.get("text", ""))
    await press_like(h, worker, "同意", message=request)
    assert await h.db.scalar(
        "SELECT household_id FROM people WHERE tg_user_id = ?", (resident.id,)
    ) == await household_id(h, "M1-H4")


async def test_join_needs_a_bound_group_and_membership(h: Harness) -> None:
    resident = h.user("王秀英")
    group = await h.group("还没绑定的群", [resident])
    await h.send(resident, group, "/join")
    assert "还没有绑定微网格" in h.last_text(group)
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/join")
    assert "联系群" in h.last_text(resident)
