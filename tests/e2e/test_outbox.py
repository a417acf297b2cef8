"""Notices survive Telegram's failures: the outbox against faults injected in the sandbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sandbox.state import Chat, User
from scheduler.deadlines import JOB_NAME
from tests.e2e.flowsteps import tap
from tests.e2e.flowsteps import town as pension_town
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import local
from tests.e2e.reporting import ACCEPT, ESCALATE, INFRA, card_of, file_report, press_on, status_of

ACCEPTED = "已由 张秀兰 受理"


async def retry_until_quiet(h: Harness, rounds: int = 12) -> None:
    """Let retry waits pass: advance the clock and let the sender deliver, until nothing
    is pending (a bounded number of rounds)."""
    for _ in range(rounds):
        if not await h.db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'"):
            return
        h.clock.advance(timedelta(minutes=31))
        await h.delivered()
    raise AssertionError("notices still pending")


async def outbox_rows(h: Harness, chat_id: int) -> list[dict[str, Any]]:
    """A chat's outbox rows after filing (the filing's own confirmation left out)."""
    rows = await h.db.fetchall(
        "SELECT * FROM outbox WHERE chat_id = ? AND dedupe_key NOT LIKE '%:filed:confirmation' "
        "ORDER BY id",
        (chat_id,),
    )
    return [dict(r) for r in rows]


def told(h: Harness, chat: Chat | User, text: str) -> int:
    return sum(text in t for t in h.bot_texts(chat))


async def test_accept_during_server_errors_reaches_the_resident_once(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    h.sb.inject_fault("sendMessage", "500", count=3)
    await press_on(h, worker, number, ACCEPT)
    assert (await status_of(h, number))["status"] == "accepted"
    assert told(h, chat, ACCEPTED) == 0
    [row] = await outbox_rows(h, chat.id)
    assert row["status"] == "pending" and row["attempts"] == 1 and "network" in row["error"]
    await retry_until_quiet(h)
    assert told(h, chat, ACCEPTED) == 1
    [row] = await outbox_rows(h, chat.id)
    assert row["status"] == "sent" and row["attempts"] == 4 and row["message_id"]
    reply = h.last(chat)
    assert reply["reply_to_message"]["text"].startswith("/report")


async def test_a_flood_storm_waits_as_telegram_says(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    h.sb.inject_fault("sendMessage", "429", count=12, retry_after=40)
    pressed_at = h.clock.now()
    await press_on(h, worker, number, ACCEPT)
    [row] = await outbox_rows(h, chat.id)
    assert row["next_at"] == int(pressed_at.timestamp()) + 40
    h.clock.advance(timedelta(seconds=39))
    await h.delivered()
    assert len(h.sb.calls_to("sendMessage")) == 1 + len(  # nothing tried before its time
        [c for c in h.sb.calls_to("sendMessage") if c.ok]
    )
    for _ in range(12):  # more tries than max_attempts: a flood wait does not count
        h.clock.advance(timedelta(seconds=40))
        await h.delivered()
    assert told(h, chat, ACCEPTED) == 1
    assert (await outbox_rows(h, chat.id))[0]["status"] == "sent"


async def test_a_timeout_is_retried_and_delivered_once(tmp_path: Path) -> None:
    h = await Harness(tmp_path, settings={"outbox": {"request_timeout": "1s"}}).open()
    try:
        worker = await h.staff("L4A", "张秀兰")
        resident = h.user("王秀英")
        chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
        number = await file_report(h, resident, chat)
        h.sb.inject_fault("sendMessage", "hang", seconds=3)
        await press_on(h, worker, number, ACCEPT)
        [row] = await outbox_rows(h, chat.id)
        assert row["status"] == "pending" and row["error"].startswith("timeout")
        await retry_until_quiet(h)
        assert told(h, chat, ACCEPTED) == 1
    finally:
        await h.close()


async def test_escalation_notice_by_photo_survives_errors(h: Harness, town) -> None:
    worker, resident, chat = town
    grid_worker = await h.staff("L3A", "李明")
    await h.settle(h.sb.send_photo(resident, chat, caption="/report 路面塌陷"))
    ask = h.last(chat)
    h.sb.inject_fault("sendPhoto", "502", count=2)
    await h.press(resident, ask, buttons(ask)[INFRA])
    assert not [m for m in h.bot_posts(worker) if "photo" in m]
    await retry_until_quiet(h)
    assert len([m for m in h.bot_posts(worker) if "路面塌陷" in m.get("caption", "")]) == 1
    h.sb.inject_fault("sendPhoto", "500")
    await press_on(h, worker, 1, ESCALATE)
    await retry_until_quiet(h)
    [card] = [m for m in h.bot_posts(grid_worker) if "路面塌陷" in m.get("caption", "")]
    assert ACCEPT in buttons(card)
    # The escalated copy was recorded with its message id: its buttons are refreshed later.
    await h.press(grid_worker, card, buttons(card)[ACCEPT])
    card = h.sb.message(grid_worker, card["message_id"])
    assert card is not None and ACCEPT not in buttons(card)


async def test_button_refresh_is_retried(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    card = card_of(h, worker, number)
    h.sb.inject_fault("editMessageReplyMarkup", "500", count=2)
    await h.press(worker, card, buttons(card)[ACCEPT])
    assert ACCEPT in buttons(h.sb.message(worker, card["message_id"]))
    await retry_until_quiet(h)
    assert ACCEPT not in buttons(h.sb.message(worker, card["message_id"]))


async def test_a_failed_button_answer_does_not_stop_the_notices(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    h.sb.inject_fault("answerCallbackQuery", "500")
    await press_on(h, worker, number, ACCEPT)
    assert (await status_of(h, number))["status"] == "accepted"
    assert told(h, chat, ACCEPTED) == 1
    assert not any("出错" in t for t in h.bot_texts(worker))  # no apology for a lost answer


async def test_a_worker_who_blocked_the_bot_is_mentioned_in_the_group(h: Harness, town) -> None:
    worker, resident, chat = town
    await h.send(resident, chat, "/report 路灯坏了")
    ask = h.last(chat)
    h.sb.inject_fault("sendMessage", "403", description="bot was blocked by the user")
    await h.press(resident, ask, buttons(ask)[INFRA])  # the confirmation is an edit
    number = 1
    mention = h.last(chat)
    assert "张秀兰" in mention["text"] and f"#{number}" in mention["text"]
    [entity] = [e for e in mention["entities"] if e["type"] == "text_mention"]
    assert entity["user"]["id"] == worker.id
    [row] = await outbox_rows(h, worker.id)
    assert row["status"] == "failed" and "blocked" in row["error"] and row["attempts"] == 1
    assert await h.db.scalar("SELECT delivered FROM case_notices") == 0


async def test_a_bad_request_is_given_up_with_its_reason_and_shown(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    h.sb.inject_fault("sendMessage", "400", description="message thread not found")
    await press_on(h, worker, number, ACCEPT)
    [row] = await outbox_rows(h, chat.id)
    assert row["status"] == "failed" and "message thread not found" in row["error"].lower()
    calls = len(h.sb.calls_to("sendMessage"))
    h.clock.advance(timedelta(hours=2))
    await h.delivered()
    assert len(h.sb.calls_to("sendMessage")) == calls  # not tried again
    await h.send(worker, worker, f"/status {number}")
    status = h.last_text(worker)
    assert "未送达" in status and "message thread not found" in status.lower()
    assert "反映人" in status  # to whom
    await h.send(resident, chat, f"/status {number}")
    assert "未送达" not in h.last_text(chat)  # residents are not shown delivery trouble
    cadre = await h.staff("V1C")
    await h.send(cadre, cadre, "/digest")
    assert any(f"问题通知未送达：1个（#{number}）" in t for t in h.bot_texts(cadre))


async def test_a_notice_pending_at_a_restart_is_delivered_once(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    h.sb.inject_fault("sendMessage", "500")
    await press_on(h, worker, number, ACCEPT)
    assert told(h, chat, ACCEPTED) == 0
    await h.restart()
    await retry_until_quiet(h)
    assert told(h, chat, ACCEPTED) == 1
    await h.restart()
    h.clock.advance(timedelta(hours=1))
    await h.delivered()
    assert told(h, chat, ACCEPTED) == 1


async def test_faults_through_the_control_api(h: Harness) -> None:
    import aiohttp

    assert h.sb.url is not None
    async with aiohttp.ClientSession() as http:
        body = {"method": "sendMessage", "kind": "429", "count": 2, "retry_after": 7}
        async with http.post(f"{h.sb.url}/sandbox/faults", json=body) as response:
            waiting = (await response.json())["result"]
        assert waiting[0]["method"] == "sendMessage" and waiting[0]["count"] == 2
        async with http.post(f"{h.sb.url}/sandbox/faults", json={**body, "kind": "x"}) as bad:
            assert bad.status == 400
        async with http.delete(f"{h.sb.url}/sandbox/faults") as response:
            assert (await response.json())["result"] == []


async def test_a_reminder_send_is_retried_in_place_with_the_same_policy(tmp_path: Path) -> None:
    h = await Harness(tmp_path, settings={"outbox": {"first_retry": "1s"}}).open()
    try:
        worker = await h.staff("L4A")
        h.clock.set(local(2026, 6, 20, 10, 0))
        h.sb.inject_fault("sendMessage", "502")
        await h.run_job("reminders:monthly_contact")
        assert sum("一月一联系" in t for t in h.bot_texts(worker)) == 1
        mine = "SELECT status, error FROM ledger WHERE chat_id = ? ORDER BY id"
        [(status, _)] = await h.db.fetchall(mine, (worker.id,))
        assert status == "sent"
        h.sb.inject_fault("sendMessage", "400", description="chat not found")
        h.clock.set(local(2026, 7, 20, 10, 0))
        await h.run_job("reminders:monthly_contact")
        [_, (status, error)] = await h.db.fetchall(mine, (worker.id,))
        assert status == "failed" and "chat not found" in error.lower()
    finally:
        await h.close()


async def test_delivered_notices_are_pruned_after_keep_sent_for(h: Harness, town) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    h.sb.inject_fault("sendMessage", "400")
    await press_on(h, worker, number, ACCEPT)
    assert await h.db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") > 0
    h.clock.advance(timedelta(days=7, hours=1))
    await h.delivered()
    assert await h.db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 0
    assert await h.db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'") == 1


async def test_a_deadline_escalation_reaches_the_next_level_despite_errors(
    h: Harness, town
) -> None:
    _, resident, chat = town
    grid_worker = await h.staff("L3A", "李明")
    number = await file_report(h, resident, chat)
    h.clock.advance(timedelta(hours=5))
    h.sb.inject_fault("sendMessage", "500", count=2)
    await h.run_job(JOB_NAME)
    assert (await status_of(h, number))["level"] == 3
    await retry_until_quiet(h)
    assert len([m for m in h.bot_posts(grid_worker) if f"#{number}" in m.get("text", "")]) == 1
    assert told(h, chat, "自动上报") == 1


async def test_pension_visit_notices_survive_errors(h: Harness) -> None:
    worker, resident, _ = await pension_town(h)
    await h.send(resident, resident, "/pension")
    await tap(h, resident, resident, "家里老人（家属代办）")
    for answer in ("李桂英", "0213", "13800001111"):
        await h.send(resident, resident, answer)
    await tap(h, resident, resident, "🏠 行动不便，需要上门")
    h.sb.inject_fault("sendMessage", "500", count=2)
    await tap(h, resident, resident, "📨 提交申请")
    await retry_until_quiet(h)
    [card] = [m for m in h.bot_posts(worker) if "李桂英" in m.get("text", "")]
    h.sb.inject_fault("sendMessage", "429", retry_after=20)
    h.sb.inject_fault("editMessageText", "500")
    await h.press(worker, card, buttons(card)["✅ 已完成认证"])
    assert not any("已完成认证" in t for t in h.bot_texts(resident))
    await retry_until_quiet(h)
    assert sum("已完成认证" in t for t in h.bot_texts(resident)) == 1
    card = h.sb.message(worker, card["message_id"])
    assert card is not None and buttons(card) == {} and "状态：已完成认证" in card["text"]
