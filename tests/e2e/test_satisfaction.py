"""The satisfaction call-back (回访): asked once after closure, each answer, the comment."""

from __future__ import annotations

from datetime import timedelta

from scheduler.deadlines import JOB_NAME
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import events_of, file_report, status_of
from tests.e2e.satisfaction_steps import (
    DISSATISFIED,
    FAIR,
    SATISFIED,
    callback_for,
    confirm,
    forge,
    rate,
    ratings,
    resolve,
)


async def test_confirmed_report_asks_once_and_records_satisfied(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    await resolve(h, worker, number)
    await confirm(h, resident, chat, number)
    question = callback_for(h, chat, resident, number)
    assert set(buttons(question)) == {SATISFIED, FAIR, DISSATISFIED}
    assert question["reply_to_message"]["text"].startswith("/report")
    await rate(h, resident, question, SATISFIED)
    assert await ratings(h, number) == [("reporter", "satisfied", "")]
    assert "满意" in h.sb.message(chat, question["message_id"])["text"]
    assert (await status_of(h, number))["status"] == "closed"


async def test_fair_with_a_comment_by_forced_reply(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    await resolve(h, worker, number)
    await confirm(h, resident, chat, number)
    await rate(h, resident, callback_for(h, chat, resident, number), FAIR)
    ask = h.last(chat)
    assert "补充" in ask["text"]
    # Someone else's reply to the question is not the comment.
    neighbour = h.user("李四")
    h.sb.join(neighbour, chat)
    await h.send(neighbour, chat, "我也说两句", reply_to=ask["message_id"])
    await h.send(resident, chat, "修得有点慢", reply_to=ask["message_id"])
    assert "意见已记下" in h.last_text(chat)
    assert await ratings(h, number) == [("reporter", "fair", "修得有点慢")]


async def test_dissatisfied_reopens_to_the_owner_counted(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    await resolve(h, worker, number)
    await confirm(h, resident, chat, number)
    await rate(h, resident, callback_for(h, chat, resident, number), DISSATISFIED)
    row = await status_of(h, number)
    assert row["status"] == "accepted" and row["reopen_count"] == 1
    assert row["closed_at"] is None and row["resolved_at"] is None
    assert row["supervision_wanted"] == 0 and row["resolve_due_at"] is not None
    assert (await events_of(h, number))[-1][:2] == ("dissatisfied", "accepted")
    assert f"#{number}" in h.last_text(worker) and "🛠 已解决" in buttons(h.last(worker))
    assert any("不满意" in text and "退回" in text for text in h.bot_texts(chat))
    # Solved and closed again: nobody is asked a second time.
    await resolve_again(h, worker, number)
    await confirm(h, resident, chat, number)
    assert await ratings(h, number) == [("reporter", "dissatisfied", "")]
    assert (await status_of(h, number))["status"] == "closed"


async def resolve_again(h: Harness, worker, number: int) -> None:
    from tests.e2e.reporting import RESOLVE, note, press_on

    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "重新修好了")


async def test_dissatisfied_past_the_reopen_limit_is_flagged(tmp_path) -> None:
    h = await Harness(tmp_path, settings={"reports": {"reopen_limit_for_supervision": 1}}).open()
    try:
        worker = await h.staff("L4A", "张秀兰")
        resident = h.user("王秀英")
        chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
        number = await file_report(h, resident, chat)
        await resolve(h, worker, number)
        from tests.e2e.reporting import REOPEN
        from tests.e2e.satisfaction_steps import message_with

        reopen = message_with(h, chat, REOPEN, number)
        await h.press(resident, reopen, buttons(reopen)[REOPEN])
        await resolve_again(h, worker, number)
        await confirm(h, resident, chat, number)
        await rate(h, resident, callback_for(h, chat, resident, number), DISSATISFIED)
        row = await status_of(h, number)
        assert row["status"] == "closed" and row["reopen_count"] == 1
        assert row["supervision_wanted"] == 1
        assert (await events_of(h, number))[-1][0] == "supervision_wanted"
        assert any("督办" in text for text in h.bot_texts(chat))
        await h.send(worker, worker, f"/status {number}")
        assert "待督办" in h.last_text(worker)
        cadre = await h.staff("V1C")
        await h.send(cadre, cadre, "/board")
        line = next(x for x in h.last_text(cadre).splitlines() if f"#{number}" in x)
        assert "已办结" in line and "待督办" in line
        await h.send(cadre, cadre, "/digest")
        digest = [m.get("text", "") for m in h.bot_posts(cadre) if "text" in m][-1]
        assert f"待督办：1个（#{number}）" in digest
    finally:
        await h.close()


async def test_unconfirmed_resolution_closes_on_the_clock_and_asks(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    await resolve(h, worker, number)
    h.clock.advance(timedelta(days=3) - timedelta(minutes=1))
    await h.run_job(JOB_NAME)
    assert (await status_of(h, number))["status"] == "resolved"
    h.clock.advance(timedelta(minutes=2))
    await h.run_job(JOB_NAME)
    await h.run_job(JOB_NAME)
    row = await status_of(h, number)
    assert row["status"] == "closed" and row["closed_at"] is not None
    assert row["confirm_due_at"] is None and row["overdue"] == 0
    assert [e[:2] for e in await events_of(h, number)][-1] == ("close", "closed")
    assert [e[3] for e in await events_of(h, number)][-1] == "system"
    assert "自动办结" in h.bot_texts(chat)[-2]
    question = callback_for(h, chat, resident, number)
    assert "自动办结" in h.last_text(worker)
    await rate(h, resident, question, SATISFIED)
    assert await ratings(h, number) == [("reporter", "satisfied", "")]
    # The resolution's Confirm button no longer moves it.
    from tests.e2e.reporting import CONFIRM

    resolved = next(m for m in reversed(h.bot_posts(chat)) if CONFIRM in buttons(m))
    stale = h.answer(await h.press(resident, resolved, buttons(resolved)[CONFIRM]))
    assert stale is not None and stale["show_alert"]
    assert len(await events_of(h, number)) == 4


async def test_a_second_answer_and_other_people_are_refused(h: Harness, town) -> None:
    worker, resident, chat = town
    neighbour = h.user("李四")
    h.sb.join(neighbour, chat)
    number = await file_report(h, resident, chat)
    await resolve(h, worker, number)
    await confirm(h, resident, chat, number)
    question = callback_for(h, chat, resident, number)
    refused = h.answer(await rate(h, neighbour, question, DISSATISFIED))
    assert refused is not None and "不是问您" in refused["text"] and refused["show_alert"]
    h.sb.join(worker, chat)
    refused = h.answer(await rate(h, worker, question, DISSATISFIED))
    assert refused is not None and "不是问您" in refused["text"]
    forged = h.answer(await forge(h, resident, chat, question, f"rs:{number}:x"))
    assert forged is not None and forged["show_alert"]
    other = h.answer(await forge(h, resident, chat, question, f"rs:{number + 50}:d"))
    assert other is not None and other["show_alert"]
    await rate(h, resident, question, SATISFIED)
    again = h.answer(await h.press(resident, question, f"rs:{number}:d"))
    assert again is not None and "已经回答过" in again["text"]
    assert await ratings(h, number) == [("reporter", "satisfied", "")]
    assert (await status_of(h, number))["status"] == "closed"


async def test_worker_records_the_households_answer_on_its_word(h: Harness, town) -> None:
    worker, resident, chat = town
    other_worker = await h.staff("L4D", "赵磊")
    number = await file_report(h, resident, chat)
    await resolve(h, worker, number)
    h.clock.advance(timedelta(days=3, minutes=1))
    await h.run_job(JOB_NAME)
    card = h.last(worker)
    assert set(buttons(card)) == {"代记：满意", "代记：基本满意", "代记：不满意"}
    refused = h.answer(await h.press(other_worker, card, buttons(card)["代记：满意"]))
    assert refused is not None and refused["show_alert"]
    refused = h.answer(await h.press(resident, card, buttons(card)["代记：满意"]))
    assert refused is not None and refused["show_alert"]
    forged = h.answer(await forge(h, worker, worker, card, f"rw:{number}:z"))
    assert forged is not None and forged["show_alert"]
    await h.press(worker, card, buttons(card)["代记：基本满意"])
    assert "已代群众记录" in h.sb.message(worker, card["message_id"])["text"]
    row = await h.db.fetchone(
        "SELECT rating, by_staff_id FROM report_ratings WHERE report_id = ?", (number,)
    )
    staff_id = await h.db.scalar("SELECT id FROM staff WHERE code = 'L4A'")
    assert tuple(row) == ("fair", staff_id)
    # The household answered through its worker: the resident's own answer is refused.
    late = h.answer(await rate(h, resident, callback_for(h, chat, resident, number), SATISFIED))
    assert late is not None and "已经回答过" in late["text"]


async def test_a_private_report_is_asked_privately_and_the_comment_routed(h: Harness, town) -> None:
    from tests.e2e.flowsteps import link_household
    from tests.e2e.satisfaction_steps import ME_TOO

    worker, resident, _ = town
    await link_household(h, resident, "M1-H2")
    h.sb.start_bot(resident)
    number = await file_report(h, resident, resident, "家门口的水管漏水")
    assert ME_TOO not in buttons(h.last(resident))  # nobody else in a private chat
    await resolve(h, worker, number)
    await confirm(h, resident, resident, number)
    await rate(h, resident, callback_for(h, resident, resident, number), SATISFIED)
    ask = h.last(resident)
    assert "补充" in ask["text"]
    # The private router gives the reply to the question it answers.
    await h.send(resident, resident, "很及时", reply_to=ask["message_id"])
    assert "意见已记下" in h.last_text(resident)
    assert await ratings(h, number) == [("reporter", "satisfied", "很及时")]
