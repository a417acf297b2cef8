"""One decision for every private text: a reply to a waiting question answers it; otherwise
the most recent question asked wins, and a draft never takes another flow's answer."""

from __future__ import annotations

from sandbox.state import User
from tests.e2e.flowsteps import tap, town, with_button
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import MET, press_like
from tests.e2e.reporting import ACCEPT, ESCALATE, RESOLVE, file_report, press_on
from tests.e2e.test_pension import FAIL, _request

HOME = "🏠 行动不便，需要上门"


async def _cadre_with_a_group(h: Harness) -> User:
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    await h.group("益家冲组联系群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    return cadre


async def _pick_unit(h: Harness, cadre: User, picker: dict) -> None:
    label = next(k for k in buttons(picker) if k.startswith("✅") and "大屯营村" in k)
    await h.press(cadre, picker, buttons(picker)[label])
    assert "请发送要发给" in h.last_text(cadre)


async def _pension_answers(h: Harness, cadre: User) -> None:
    await tap(h, cadre, cadre, "家里老人（家属代办）")
    await h.send(cadre, cadre, "李桂英")
    await h.send(cadre, cadre, "0213")
    await h.send(cadre, cadre, "13800001111")
    assert "能不能自己去办理" in h.last_text(cadre) or buttons(h.last(cadre)).get(HOME)


async def _announcement_bodies(h: Harness) -> list[str]:
    rows = await h.db.fetchall("SELECT body_html FROM announcements")
    return [r[0] for r in rows]


async def test_a_pension_started_after_an_announcement_keeps_its_answers(h: Harness) -> None:
    cadre = await _cadre_with_a_group(h)
    await h.send(cadre, cadre, "/announce")
    await _pick_unit(h, cadre, h.last(cadre))
    await h.send(cadre, cadre, "/pension")
    await _pension_answers(h, cadre)
    assert await _announcement_bodies(h) == [""]
    assert not any("确认发送" in str(buttons(m)) for m in h.bot_posts(cadre))
    # Once the flow is over, the announcement still waits for its text.
    await h.send(cadre, cadre, "/cancel")
    await h.send(cadre, cadre, "周三上午停水")
    assert await _announcement_bodies(h) == ["周三上午停水"]


async def test_an_announcement_started_during_a_pension_takes_the_next_text(h: Harness) -> None:
    cadre = await _cadre_with_a_group(h)
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    await h.send(cadre, cadre, "/pension")
    await tap(h, cadre, cadre, "家里老人（家属代办）")
    asked_name = h.last_text(cadre)
    await _pick_unit(h, cadre, picker)  # the unit button of the earlier picker: no command
    await h.send(cadre, cadre, "周三上午停水")
    assert "周三上午停水" in h.last_text(cadre) and "确认发送" in str(buttons(h.last(cadre)))
    assert not any("最后 4 位" in t for t in h.bot_texts(cadre))  # not taken as the name
    assert await _announcement_bodies(h) == ["周三上午停水"]
    assert not any("不含数字" in t for t in h.bot_texts(cadre))
    # With the announcement previewed, the flow still waits for the name.
    await h.send(cadre, cadre, "李桂英")
    assert "最后 4 位" in h.last_text(cadre), asked_name
    assert await _announcement_bodies(h) == ["周三上午停水"]


async def test_who_asked_last_is_stored_and_survives_a_restart(h: Harness) -> None:
    cadre = await _cadre_with_a_group(h)
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    await h.send(cadre, cadre, "/pension")
    await tap(h, cadre, cadre, "家里老人（家属代办）")
    await _pick_unit(h, cadre, picker)
    rows = await h.db.fetchall(
        "SELECT flow, chat_id, subject_id FROM pending_questions WHERE tg_user_id = ? ORDER BY id",
        (cadre.id,),
    )
    [announcement_id] = [r[0] for r in await h.db.fetchall("SELECT id FROM announcements")]
    assert [tuple(r) for r in rows][-1] == ("announcement", cadre.id, announcement_id)
    assert "flow" in [r[0] for r in rows]
    await h.restart()
    await h.send(cadre, cadre, "周三上午停水")
    assert await _announcement_bodies(h) == ["周三上午停水"]
    assert not any("最后 4 位" in t for t in h.bot_texts(cadre))


async def test_a_note_reply_is_not_an_announcement(h: Harness) -> None:
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    number = await file_report(h, resident, group)
    await press_on(h, worker, number, ESCALATE)  # no grid worker linked: to the village
    await press_on(h, cadre, number, ACCEPT)
    await press_on(h, cadre, number, RESOLVE)
    question = h.last(cadre)["message_id"]
    await h.send(cadre, cadre, "/announce")
    await _pick_unit(h, cadre, h.last(cadre))
    await h.send(cadre, cadre, "换了灯泡", reply_to=question)
    assert await h.db.scalar("SELECT status FROM reports") == "resolved"
    assert await _announcement_bodies(h) == [""]
    await h.send(cadre, cadre, "通知正文")
    assert await _announcement_bodies(h) == ["通知正文"]


async def test_a_reason_asked_by_a_button_during_a_visit_takes_the_next_text(
    h: Harness,
) -> None:
    worker, resident, _ = await town(h)
    await _request(h, resident)
    await h.send(worker, worker, "/visit")
    await press_like(h, worker, "M1户主2")
    await press_like(h, worker, MET)
    await press_like(h, worker, "今天")
    assert "备注" in h.last_text(worker)
    card = with_button(h, worker, FAIL)
    await h.press(worker, card, buttons(card)[FAIL])  # a button: the visit is not left
    await h.send(worker, worker, "老人住院了")
    assert await h.db.scalar("SELECT outcome_note FROM pension_requests") == "老人住院了"
    assert await h.db.scalar("SELECT step FROM household_drafts") == "note"
    await h.send(worker, worker, "老人身体不错")  # now the visit's note
    assert "发送我的位置" in h.last_text(worker)
    assert await h.db.scalar("SELECT note FROM household_drafts") == "老人身体不错"
