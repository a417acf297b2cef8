"""The report loop end to end: filing, routing, every move, the resident told in the group."""

from __future__ import annotations

from sandbox.state import User
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import (
    ACCEPT,
    CONFIRM,
    DUPLICATE,
    ESCALATE,
    INFRA,
    REJECT,
    REOPEN,
    RESOLVE,
    card_of,
    events_of,
    file_report,
    note,
    press_on,
    status_of,
)


async def test_full_loop_file_accept_resolve_confirm(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat, "村口路灯坏了")
    filed = h.last(chat)
    assert f"#{number}" in filed["text"] and "张秀兰" in filed["text"]
    assert filed["reply_to_message"]["text"] == "/report 村口路灯坏了"
    card = card_of(h, worker, number)
    assert "村口路灯坏了" in card["text"] and "益家冲组" in card["text"]
    assert "王秀英" in card["text"] and set(buttons(card)) >= {ACCEPT, RESOLVE, ESCALATE}
    await press_on(h, worker, number, ACCEPT)
    told = h.last(chat)
    assert "已由 张秀兰 受理" in told["text"]
    assert told["reply_to_message"]["message_id"] == filed["reply_to_message"]["message_id"]
    await press_on(h, worker, number, RESOLVE)
    assert "怎么解决" in h.last_text(worker)
    await note(h, worker, "已更换灯泡")
    resolved = h.last(chat)
    assert "已更换灯泡" in resolved["text"] and set(buttons(resolved)) == {CONFIRM, REOPEN}
    await h.press(resident, resolved, buttons(resolved)[CONFIRM])
    assert "已办结" in h.last_text(chat)
    assert "群众已确认" in h.last_text(worker)
    row = await status_of(h, number)
    assert row["status"] == "closed" and row["solved_on_spot"] == 1
    assert row["accepted_in_time"] == 1 and row["category"] == "infrastructure"
    assert [e[0] for e in await events_of(h, number)] == ["filed", "accept", "resolve", "confirm"]
    assert (await events_of(h, number))[1][3] == "staff:L4A"
    # The worker's card lost its buttons once the report was done.
    assert buttons(h.sb.message(worker, card_of_id(h, worker, number))) == {}


def card_of_id(h: Harness, worker: User, number: int) -> int:
    for message in h.bot_posts(worker):
        if f"问题 #{number}" in (message.get("text") or ""):
            return message["message_id"]
    raise AssertionError


async def test_description_asked_by_forced_reply_from_the_same_person(h: Harness, town) -> None:
    _, resident, chat = town
    other = h.user("李德福")
    await h.settle(h.sb.join(other, chat))
    await h.send(resident, chat, "/report")
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[INFRA])
    question = h.last(chat)
    sent = h.sb.calls_to("sendMessage")[-1]
    assert sent.params["reply_markup"] == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": "说明问题",
    }
    assert sent.response["result"]["message_id"] == question["message_id"]
    await h.send(other, chat, "我来替她说", reply_to=question["message_id"])
    assert "别人正在登记" in h.last_text(chat)
    await h.send(resident, chat, "   ", reply_to=question["message_id"])
    assert "不能为空" in h.last_text(chat)
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0
    await h.send(resident, chat, "水管漏水", reply_to=question["message_id"])
    assert (await status_of(h, 1))["description"] == "水管漏水"
    # A stranger pressing the category button of someone else's draft is refused.
    await h.send(other, chat, "/report 自己的事")
    ask = h.last(chat)
    press = await h.press(resident, ask, buttons(ask)[INFRA])
    assert h.answer(press)["show_alert"] is True
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 1


async def test_photo_with_caption_is_kept(h: Harness, town) -> None:
    worker, resident, chat = town
    await h.settle(h.sb.send_photo(resident, chat, caption="/report 路面塌陷"))
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[INFRA])
    row = await status_of(h, 1)
    assert row["photo_file_id"] and row["description"] == "路面塌陷"
    sent = [c for c in h.sb.calls_to("sendPhoto") if c.ok]
    assert sent and sent[-1].params["photo"] == row["photo_file_id"]
    assert "路面塌陷" in h.last(worker)["caption"]


async def test_bad_input_gets_clear_answers_and_stores_nothing(h: Harness, town) -> None:
    _, resident, chat = town
    await h.send(resident, chat, "/report " + "长" * 1001)
    assert "太长" in h.last_text(chat)
    unbound = await h.group("没绑定的群", [resident])
    await h.send(resident, unbound, "/report 路灯")
    assert "还没有绑定微网格" in h.last_text(unbound)
    await h.send(resident, resident, "/report 路灯")
    assert "联系群里发送 /report" in h.last_text(resident)
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0


async def test_a_redelivered_message_is_filed_once(h: Harness, town) -> None:
    worker, resident, chat = town
    sent = await h.send(resident, chat, "/report 桥栏杆松了")
    message = sent.message
    # Telegram delivers the very same message again (e.g. after a restart).
    again = h.sb.world.updates.push("message", message)
    await h.restart()
    await h.settle_all()
    assert again is not None
    asks = [t for t in h.bot_texts(chat) if "请选择问题类别" in t]
    assert len(asks) == 1
    ask = next(m for m in h.bot_posts(chat) if "请选择问题类别" in (m.get("text") or ""))
    press = h.sb.press(resident, ask, buttons(ask)[INFRA])
    await h.settle(press)
    repeat = h.sb.world.updates.push("callback_query", press.update["callback_query"])
    assert repeat is not None
    await h.settle_all()
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 1
    assert len([t for t in h.bot_texts(chat) if "已登记问题" in t]) == 1
    await press_on(h, worker, 1, ACCEPT)
    accept = h.sb.calls_to("answerCallbackQuery")[-1]
    card = card_of(h, worker, 1) if buttons(h.last(worker)) else h.last(worker)
    assert accept.ok and card is not None
    assert [e[0] for e in await events_of(h, 1)] == ["filed", "accept"]


async def test_reopen_returns_to_the_same_owner_and_is_counted(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "修好了")
    resolved = h.last(chat)
    await h.press(resident, resolved, buttons(resolved)[REOPEN])
    row = await status_of(h, number)
    assert row["status"] == "accepted" and row["reopen_count"] == 1
    assert row["owner_staff_id"] == await h.db.scalar("SELECT id FROM staff WHERE code='L4A'")
    assert row["solved_on_spot"] == 0
    assert "没有解决" in h.last_text(chat)
    assert f"#{number}" in h.last_text(worker)  # the owner got the report back, with buttons
    assert RESOLVE in buttons(h.last(worker))


async def test_every_escalation_hop_up_to_the_town(h: Harness, town) -> None:
    worker, resident, chat = town
    grid_worker = await h.staff("L3A", "李明")
    grid_worker_2 = await h.staff("L3B", "陈静")
    village = await h.staff("V1C", "周红梅")
    town_cadre = await h.staff("C1", "刘建国")
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ESCALATE)
    assert "三级网格员" in h.last_text(chat)
    assert card_of(h, grid_worker, number) and card_of(h, grid_worker_2, number)
    await press_on(h, grid_worker, number, ACCEPT)
    await press_on(h, grid_worker, number, ESCALATE)
    assert "村干部" in h.last_text(chat)
    await press_on(h, village, number, ESCALATE)
    assert "镇干部" in h.last_text(chat)
    card = card_of(h, town_cadre, number)
    assert ESCALATE not in buttons(card)
    await press_on(h, town_cadre, number, ACCEPT)
    await press_on(h, town_cadre, number, RESOLVE)
    await note(h, town_cadre, "镇里协调解决")
    row = await status_of(h, number)
    assert row["status"] == "resolved" and row["level"] == 1 and row["escalations"] == 3
    assert row["solved_on_spot"] == 0
    levels = [(e[0], e[2]) for e in await events_of(h, number)]
    assert levels == [
        ("filed", 4),
        ("escalate", 3),
        ("accept", 3),
        ("escalate", 2),
        ("escalate", 1),
        ("accept", 1),
        ("resolve", 1),
    ]


async def test_duplicate_and_reject_need_notes_and_tell_the_resident(h: Harness, town) -> None:
    worker, resident, chat = town
    first = await file_report(h, resident, chat, "垃圾没人收")
    second = await file_report(h, resident, chat, "垃圾堆了好几天")
    await press_on(h, worker, second, DUPLICATE)
    await note(h, worker, "#999")
    assert "找不到问题 #999" in h.bot_texts(worker)[-2]
    await note(h, worker, f"#{second}")
    assert (await status_of(h, second))["status"] == "new"
    await note(h, worker, f"和#{first}一样")
    assert (await status_of(h, second))["duplicate_of"] == first
    assert f"与 #{first} 是同一个问题" in h.last_text(chat)
    third = await file_report(h, resident, chat, "想要修一个广场")
    await press_on(h, worker, third, REJECT)
    await note(h, worker, "不属于网格受理范围，请向镇规划办咨询")
    row = await status_of(h, third)
    assert row["status"] == "rejected"
    assert "不属于网格受理范围" in h.last_text(chat)
    assert (await events_of(h, third))[-1][0] == "reject"


async def test_worker_who_never_started_the_bot_is_mentioned_in_the_group(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰", started=False)
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    number = await file_report(h, resident, chat)
    mention = h.last(chat)
    assert "张秀兰" in mention["text"] and "/start" in mention["text"]
    # The group sees a real mention of the worker, not the markup that makes one.
    assert "<a" not in mention["text"] and "tg://" not in mention["text"]
    [entity] = [e for e in mention.get("entities", []) if e["type"] == "text_mention"]
    assert entity["user"]["id"] == worker.id
    assert mention["text"][entity["offset"] : entity["offset"] + entity["length"]] == "张秀兰"
    forbidden = [c for c in h.sb.errors() if c.response["error_code"] == 403]
    assert forbidden
    delivered = await h.db.scalar(
        "SELECT delivered FROM case_notices WHERE kind = 'report' AND case_id = ?", (number,)
    )
    assert delivered == 0
    await h.send(worker, worker, "/tasks")
    assert f"#{number}" in "\n".join(h.bot_texts(worker))
    await press_on(h, worker, number, ACCEPT)
    assert (await status_of(h, number))["status"] == "accepted"


async def test_micro_grid_without_a_linked_worker_routes_up(h: Harness) -> None:
    grid_worker = await h.staff("L3A", "李明")
    resident = h.user("王秀英")
    cadre = await h.staff("C1", "刘建国")
    chat = await h.group("渣塘冲组联系群", [resident, cadre], bind_code="M2", by=cadre)
    number = await file_report(h, resident, chat)
    row = await status_of(h, number)
    assert row["level"] == 3
    assert "李明" in h.last_text(chat)
    assert card_of(h, grid_worker, number)
    await press_on(h, grid_worker, number, RESOLVE)
    await note(h, grid_worker, "处理好了")
    assert (await status_of(h, number))["solved_on_spot"] == 0


async def test_english_worker_gets_english_card(h: Harness, town) -> None:
    worker, resident, chat = town
    h.users.pop("L3A", None)
    english = h.user("Li Ming", language_code="en")
    h.users["L3A"] = english
    await h.staff("L3A")
    await h.send(english, english, "/start")
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ESCALATE)
    card = card_of(h, english, number)
    assert "Report" in card["text"] and "Accept" in "".join(buttons(card))


async def test_escalation_skips_a_level_where_nobody_is_linked(h: Harness, town) -> None:
    worker, resident, chat = town
    village = await h.staff("V1C", "周红梅")
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ESCALATE)
    row = await status_of(h, number)
    assert row["level"] == 2 and row["escalations"] == 1
    assert "村干部" in h.last_text(chat)
    assert card_of(h, village, number)
