"""/policy end to end: Chinese and English searches, an entry in full, no match → a
policy-consultation report, in a group and in private."""

from __future__ import annotations

from tests.e2e.flowsteps import link_household, tap, town
from tests.e2e.harness import Harness, buttons

ASK = "📨 提交政策咨询"


async def test_search_in_chinese_and_read_an_entry(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/policy 医保怎么报销")
    answer = h.last(resident)
    assert "找到" in answer["text"] and answer["reply_to_message"]["text"] == "/policy 医保怎么报销"
    labels = list(buttons(answer))
    assert labels[0] == "医保住院和门诊报销" and len(labels) <= 5
    await tap(h, resident, resident, "医保住院和门诊报销")
    entry = h.last(resident)
    assert "医保住院和门诊报销" in entry["text"] and "乡镇卫生院" in entry["text"]
    assert "宁乡市医疗保障局（示例）" in entry["text"]
    assert buttons(entry) == {"📇 网格联系卡": "fc:card"}


async def test_search_in_english_for_an_english_speaker(h: Harness) -> None:
    resident = h.user("Li Ming", language_code="en")
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/policy farm machinery subsidy")
    assert next(iter(buttons(h.last(resident)))) == "Farm machinery purchase subsidy"
    await tap(h, resident, resident, "Farm machinery purchase subsidy")
    assert "Who: households and farm businesses" in h.last_text(resident)


async def test_without_words_the_bot_asks_for_them_in_private(h: Harness) -> None:
    _, resident, chat = await town(h)
    await h.send(resident, resident, "/policy")
    assert "想了解哪方面的政策" in h.last_text(resident)
    await h.send(resident, resident, "危房改造")
    assert next(iter(buttons(h.last(resident)))) == "农村危房改造"
    await h.send(resident, chat, "/policy")
    assert "/policy 医保怎么报销" in h.last_text(chat)


async def test_no_match_in_a_group_files_a_policy_consultation(h: Harness) -> None:
    worker, resident, chat = await town(h)
    await h.send(resident, chat, "/policy 光伏发电并网怎么申请")
    offer = h.last(chat)
    assert "没有找到" in offer["text"] and set(buttons(offer)) == {ASK}
    neighbour = h.user("李德福")
    await h.settle(h.sb.join(neighbour, chat))
    press = await h.press(neighbour, offer, buttons(offer)[ASK])
    assert h.answer(press)["show_alert"] is True and "别人提的问题" in h.answer(press)["text"]
    await h.press(resident, offer, buttons(offer)[ASK])
    report = await h.db.fetchone("SELECT * FROM reports")
    assert report["category"] == "policy" and report["description"] == "光伏发电并网怎么申请"
    assert report["source_chat_id"] == chat.id
    assert f"#{report['id']}" in h.last_text(chat) and "张秀兰" in h.last_text(chat)
    assert "光伏发电并网怎么申请" in h.last_text(worker) and buttons(h.last(worker))
    assert buttons(h.sb.message(chat, offer["message_id"])) == {}
    again = await h.press(resident, offer, buttons(offer)[ASK])
    assert h.answer(again)["show_alert"] is True
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 1


async def test_no_match_in_private_needs_a_household_link(h: Harness) -> None:
    worker, resident, _ = await town(h)
    await h.send(resident, resident, "/policy 光伏发电")
    refused = await tap(h, resident, resident, ASK)
    assert "关联您的家庭" in h.answer(refused)["text"]
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0
    await link_household(h, resident, "M1-H1")
    await tap(h, resident, resident, ASK)
    report = await h.db.fetchone("SELECT * FROM reports")
    assert report["category"] == "policy" and report["source_chat_id"] == resident.id
    assert report["household_id"] is not None
    assert "政策咨询" in h.last_text(resident) and f"#{report['id']}" in h.last_text(worker)


async def test_restart_while_the_bot_waits_for_the_words(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/policy")
    await h.restart()
    await h.send(resident, resident, "高龄津贴")
    assert next(iter(buttons(h.last(resident)))) == "高龄津贴"
