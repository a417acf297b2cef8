"""Whole ID numbers typed anywhere are refused, deleted where possible, never stored, echoed
or logged; edited messages are never taken as new answers."""

from __future__ import annotations

import json
import logging

import pytest

from sandbox.state import Chat, User
from tests.e2e.flowsteps import link_household, table_dump, tap, town, with_button
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import MET, PHONE, press_like
from tests.e2e.reporting import (
    ACCEPT,
    DUPLICATE,
    INFRA,
    REJECT,
    RESOLVE,
    file_report,
    note,
    press_on,
)
from tests.e2e.test_pension import FAIL, _request

WHOLE_ID = "430124193301011234"
SPACED_ID = "4301 2419 3301 0112 34"
LEGACY_ID = "430124330101123"
REFUSED = "请只发身份证号码的最后 4 位"


async def never_kept(
    h: Harness, where: Chat | User, caplog: pytest.LogCaptureFixture, *numbers: str
) -> None:
    """The refusal was the bot's last word in `where`, and the number is nowhere."""
    assert REFUSED in h.last_text(where), h.bot_texts(where)[-3:]
    numbers = numbers or (WHOLE_ID,)
    compact = [n.replace(" ", "") for n in numbers]
    dump = await table_dump(h)
    sent = [
        json.dumps(c.params, ensure_ascii=False) for c in h.sb.calls if c.method != "getUpdates"
    ]
    for number in [*numbers, *compact]:
        assert number not in dump
        assert not any(number in s for s in sent)
        assert not any(number in r.getMessage() for r in caplog.records)


def deleted(h: Harness, where: Chat | User, number: str = WHOLE_ID) -> bool:
    """Whether no message in the chat shows the number any more."""
    return all(number not in json.dumps(m, ensure_ascii=False) for m in h.sb.messages(where))


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


@pytest.mark.parametrize("number", [WHOLE_ID, SPACED_ID, LEGACY_ID, "43012419330101123X"])
async def test_report_text_in_a_group(h: Harness, caplog, number: str) -> None:
    _worker, resident, chat = await town(h)
    await h.send(resident, chat, f"/report 我的身份证{number}，低保没到账")
    await never_kept(h, chat, caplog, number)
    assert "请您长按" in h.last_text(chat)  # the bot may not delete it in this group
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0


async def test_report_in_a_group_where_the_bot_may_delete(h: Harness, caplog) -> None:
    _, resident, chat = await town(h)
    h.sb.chat(chat).bot_status = "administrator"
    await h.send(resident, chat, f"/report {WHOLE_ID}")
    await never_kept(h, chat, caplog)
    assert "已经删除" in h.last_text(chat) and deleted(h, chat)


async def test_photo_caption(h: Harness, caplog) -> None:
    _, resident, chat = await town(h)
    await h.settle(h.sb.send_photo(resident, chat, caption=f"/report 路灯坏了 {WHOLE_ID}"))
    await never_kept(h, chat, caplog)
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0


async def test_report_description_answer_then_a_good_one(h: Harness, caplog) -> None:
    _, resident, chat = await town(h)
    await h.send(resident, chat, "/report")
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[INFRA])
    question = h.last(chat)["message_id"]
    await h.send(resident, chat, f"身份证 {WHOLE_ID}", reply_to=question)
    await never_kept(h, chat, caplog)
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0
    await h.send(resident, chat, "路灯坏了", reply_to=question)  # the question still waits
    assert await h.db.scalar("SELECT description FROM reports") == "路灯坏了"


@pytest.mark.parametrize("move", [RESOLVE, REJECT])
async def test_resolve_and_reject_notes(h: Harness, caplog, move: str) -> None:
    worker, resident, chat = await town(h)
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, move)
    question = h.last(worker)["message_id"]
    await note(h, worker, f"已核实 {WHOLE_ID}")
    await never_kept(h, worker, caplog)
    assert deleted(h, worker)
    assert await h.db.scalar("SELECT status FROM reports") == "accepted"
    await h.send(worker, worker, "已处理", reply_to=question)
    assert await h.db.scalar("SELECT status FROM reports") != "accepted"


async def test_survey_text_answer(h: Harness, caplog) -> None:
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H2")
    await h.send(resident, resident, "/survey")
    for score in ("5", "4", "4", "3"):
        await tap(h, resident, resident, score)
    await tap(h, resident, resident, "是")
    await tap(h, resident, resident, INFRA)
    await h.send(resident, resident, f"我的身份证号{WHOLE_ID}")
    await never_kept(h, resident, caplog)
    assert deleted(h, resident)
    await h.send(resident, resident, "水渠堵了")  # the question still waits
    await tap(h, resident, resident, "跳过")
    assert await h.db.scalar("SELECT description FROM reports") == "水渠堵了"


async def test_policy_words_in_a_group_and_in_private(h: Harness, caplog) -> None:
    _, resident, chat = await town(h)
    await h.send(resident, chat, f"/policy 养老金 {WHOLE_ID}")
    await never_kept(h, chat, caplog)
    await h.send(resident, resident, "/policy")
    await h.send(resident, resident, f"{WHOLE_ID} 养老")
    await never_kept(h, resident, caplog)
    assert deleted(h, resident)


async def test_announcement_text_and_caption(h: Harness, caplog) -> None:
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    await h.group("益家冲组联系群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    label = next(k for k in buttons(picker) if k.startswith("✅") and "大屯营村" in k)
    await h.press(cadre, picker, buttons(picker)[label])
    await h.send(cadre, cadre, f"请联系 {WHOLE_ID} 的家属")
    await never_kept(h, cadre, caplog)
    await h.settle(h.sb.send_photo(cadre, cadre, caption=f"寻人 {WHOLE_ID}"))
    await never_kept(h, cadre, caplog)
    assert deleted(h, cadre)
    await h.send(cadre, cadre, "周三停水")  # still waiting for the text
    assert "周三停水" in h.last_text(cadre)


async def test_visit_note(h: Harness, caplog) -> None:
    worker = await h.staff("L4A", "张秀兰")
    await h.send(worker, worker, "/visit")
    await press_like(h, worker, "M1户主2")
    await press_like(h, worker, MET)
    await press_like(h, worker, "今天")
    await h.send(worker, worker, f"老人身份证 {WHOLE_ID}")
    await never_kept(h, worker, caplog)
    assert await h.db.scalar("SELECT step FROM household_drafts") == "note"


async def test_commands_with_words(h: Harness, caplog) -> None:
    worker, resident, chat = await town(h)
    await h.send(worker, chat, f"/bind {WHOLE_ID}")
    await never_kept(h, chat, caplog)
    await h.send(resident, resident, f"/start {WHOLE_ID}")
    await never_kept(h, resident, caplog)


async def test_english_speakers_are_refused_in_english(h: Harness, caplog) -> None:
    _, _, _chat = await town(h)
    visitor = h.user("Ann", language_code="en")
    await h.send(visitor, visitor, f"/policy {WHOLE_ID}")
    assert "only the last 4 characters" in h.last_text(visitor)


async def test_an_edited_message_is_not_an_announcement(h: Harness) -> None:
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    await h.group("益家冲组联系群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    earlier = await h.send(cadre, cadre, "/help")
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    label = next(k for k in buttons(picker) if k.startswith("✅") and "大屯营村" in k)
    await h.press(cadre, picker, buttons(picker)[label])
    assert "请发送要发给" in h.last_text(cadre)
    before = len(h.sb.calls)
    await h.settle(h.sb.edit_text(cadre, cadre, earlier.message_id, "周三停水"))
    assert [c.method for c in h.sb.calls[before:] if c.method != "getUpdates"] == []
    assert await h.db.scalar("SELECT body_html FROM announcements") == ""


async def test_an_edited_command_does_nothing(h: Harness) -> None:
    _, resident, chat = await town(h)
    said = await h.send(resident, chat, "/card")
    typed = await h.send(resident, resident, "/help")
    before = len(h.sb.calls)
    await h.settle(h.sb.edit_text(resident, chat, said.message_id, "/report 路灯坏了"))
    await h.settle(h.sb.edit_text(resident, resident, typed.message_id, "/policy 养老"))
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0
    assert [c.method for c in h.sb.calls[before:] if c.method != "getUpdates"] == []


async def test_an_edited_flow_answer_is_not_a_step(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/pension")
    await tap(h, resident, resident, "我本人")
    said = await h.send(resident, resident, "王秀英")
    asked = h.last_text(resident)
    assert "身份证" in asked
    await h.settle(h.sb.edit_text(resident, resident, said.message_id, "1234"))
    assert h.last_text(resident) == asked  # no step taken, nothing said


async def test_an_edit_that_adds_an_id_number_is_deleted(h: Harness, caplog) -> None:
    worker, resident, chat = await town(h)
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, RESOLVE)
    said = await h.send(worker, worker, "换了灯泡", reply_to=h.last(worker)["message_id"])
    await h.settle(h.sb.edit_text(worker, worker, said.message_id, f"换了灯泡 {WHOLE_ID}"))
    await never_kept(h, worker, caplog)
    assert deleted(h, worker)
    assert await h.db.scalar("SELECT note FROM case_events WHERE action = 'resolve'") == "换了灯泡"


async def test_contact_note(h: Harness, caplog) -> None:
    worker = await h.staff("L4A")
    await h.send(worker, worker, "/contact")
    await press_like(h, worker, "M1户主3")
    await press_like(h, worker, PHONE)
    await press_like(h, worker, "今天")
    await h.send(worker, worker, f"核对身份证 {LEGACY_ID}")
    await never_kept(h, worker, caplog, LEGACY_ID)
    assert await h.db.scalar("SELECT step FROM household_drafts") == "note"


async def test_duplicate_note(h: Harness, caplog) -> None:
    worker, resident, chat = await town(h)
    first = await file_report(h, resident, chat)
    second = await file_report(h, resident, chat, "路灯又坏了")
    await press_on(h, worker, second, DUPLICATE)
    await note(h, worker, f"#{first} {WHOLE_ID}")
    await never_kept(h, worker, caplog)
    assert await h.db.scalar("SELECT status FROM reports WHERE id = ?", (second,)) == "new"


async def test_visit_failure_reason(h: Harness, caplog) -> None:
    worker, resident, _ = await town(h)
    await _request(h, resident)
    card = with_button(h, worker, FAIL)
    await h.press(worker, card, buttons(card)[FAIL])
    await h.send(worker, worker, f"老人身份证{WHOLE_ID}不对")
    await never_kept(h, worker, caplog)
    assert await h.db.scalar("SELECT status FROM pension_requests") == "open"
    await h.send(worker, worker, "老人住院了")  # the reason is still asked for
    assert await h.db.scalar("SELECT outcome_note FROM pension_requests") == "老人住院了"


async def test_invite_code(h: Harness, caplog) -> None:
    cadre = await h.staff("V1C")
    await h.send(cadre, cadre, f"/invite {WHOLE_ID}")
    await never_kept(h, cadre, caplog)


async def test_a_number_hidden_in_a_forwarded_link(h: Harness, caplog) -> None:
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    await h.group("益家冲组联系群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    label = next(k for k in buttons(picker) if k.startswith("✅") and "大屯营村" in k)
    await h.press(cadre, picker, buttons(picker)[label])
    url = f"https://x.cn/q?id={WHOLE_ID}"
    forwarded = {
        "text": "点此查询",
        "entities": [{"type": "text_link", "offset": 0, "length": 4, "url": url}],
        "forward_origin": {"type": "hidden_user", "date": 1780000000, "sender_user_name": "某"},
    }
    await h.settle(h.sb._post(cadre, cadre, forwarded, None))
    await never_kept(h, cadre, caplog)
    assert deleted(h, cadre)
