"""Webhook mode end to end: the sandbox posts updates to the bot's own server, which answers
200 only once the update is stored; refused and lost answers are posted again, never filed
twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.config import WEBHOOK_SECRET_ENV
from bot.demo.stage import TOKEN, WEBHOOK_SECRET
from bot.doctor import run_doctor
from bot.webhook import SECRET_HEADER
from sandbox.state import Chat, User
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ACCEPT, CONFIRM, INFRA, RESOLVE, file_report, note, press_on


@pytest.fixture
async def hw(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await Harness(tmp_path, webhook=True).open()
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def town_w(hw: Harness) -> tuple[User, User, Chat]:
    """The worker of M1, a resident and their bound group, with updates by webhook."""
    worker = await hw.staff("L4A", "张秀兰")
    resident = hw.user("王秀英")
    chat = await hw.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    return worker, resident, chat


async def reports_from(h: Harness, chat: Chat) -> list[int]:
    rows = await h.db.fetchall(
        "SELECT source_message_id FROM reports WHERE source_chat_id = ?", (chat.id,)
    )
    return [r[0] for r in rows]


async def test_report_loop_and_button_presses_by_webhook(hw: Harness, town_w) -> None:
    worker, resident, chat = town_w
    hook = hw.sb.world.webhook
    assert hook["url"] == hw.webhook_url and hw.webhook_url.endswith("/telegram")
    assert hook["secret_token"] == WEBHOOK_SECRET
    assert "callback_query" in hook["allowed_updates"]
    assert "my_chat_member" in hook["allowed_updates"]
    # Never polled, never dropped what Telegram kept.
    assert not hw.sb.calls_to("getUpdates")
    assert not hw.sb.calls_to("setWebhook")[0].params.get("drop_pending_updates")

    number = await file_report(hw, resident, chat, "村口路灯坏了")
    await press_on(hw, worker, number, ACCEPT)
    assert "已由 张秀兰 受理" in hw.last_text(chat)
    await press_on(hw, worker, number, RESOLVE)
    await note(hw, worker, "已更换灯泡")
    resolved = hw.last(chat)
    await hw.press(resident, resolved, buttons(resolved)[CONFIRM])
    assert "已办结" in hw.last_text(chat)
    row = await hw.db.fetchone("SELECT status FROM reports WHERE id = ?", (number,))
    assert row is not None and row[0] == "closed"
    # Every update came by a post answered 200, each once.
    assert hw.sb.pushes and all(p.status == 200 for p in hw.sb.pushes)
    delivered = [p.update_id for p in hw.sb.pushes]
    assert len(delivered) == len(set(delivered))
    info = await hw.app.bot.get_webhook_info()  # type: ignore[union-attr]
    assert info.pending_update_count == 0 and info.last_error_message is None


async def test_wrong_secret_refused_and_posted_again(hw: Harness, town_w) -> None:
    _, resident, chat = town_w
    async with aiohttp.ClientSession() as session:
        for headers in ({SECRET_HEADER: "guess"}, {}):
            async with session.post(hw.webhook_url, json={"update_id": 1}, headers=headers) as r:
                assert r.status == 403
    # Telegram itself with an old secret: refused, kept, tried again with back-off.
    hw.sb.world.webhook["secret_token"] = "an-old-secret"
    sent = hw.sb.send_text(resident, chat, "/report 水管漏水")
    await hw.sb.wait_for(lambda: len(hw.sb.pushes) >= 1 and hw.sb.pushes[-1].status == 403)
    await hw.sb.wait_for(lambda: sum(p.status == 403 for p in hw.sb.pushes) >= 2)
    info = await hw.app.bot.get_webhook_info()  # type: ignore[union-attr]
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    assert info.last_error_date is not None
    assert not hw.inbox.is_done(sent.updates[0]["update_id"])  # type: ignore[union-attr]
    # The bot registers its address again on restart, with its secret: delivered.
    await hw.restart()
    await hw.settle(sent)
    assert INFRA in buttons(hw.last(chat))
    assert [p.status for p in hw.sb.pushes if p.update_id == sent.updates[0]["update_id"]][
        -1
    ] == 200


async def test_unreadable_post_refused(hw: Harness) -> None:
    headers = {SECRET_HEADER: WEBHOOK_SECRET}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(hw.webhook_url, data=b"not json") as response:
            assert response.status == 400
        for body in ([1], {}, {"update_id": "7"}):
            async with session.post(hw.webhook_url, json=body) as response:
                assert response.status == 400, body
    assert await hw.db.scalar("SELECT COUNT(*) FROM inbox_updates") == 0


async def test_lost_answer_posted_again_without_a_second_report(hw: Harness, town_w) -> None:
    worker, resident, chat = town_w
    # The bot stores the update and answers 200, but a proxy answers 502 in its place:
    # Telegram posts the same update again.
    await hw.settle_all()
    hw.sb.lose_webhook_answers(1, status=502)
    sent = hw.sb.send_text(resident, chat, "/report 路灯坏了")
    await hw.settle_all()
    update_id = sent.updates[0]["update_id"]
    assert [(p.status, p.answer_lost) for p in hw.sb.pushes if p.update_id == update_id] == [
        (502, True),
        (200, False),
    ]
    questions = [m for m in hw.bot_posts(chat) if INFRA in buttons(m)]
    assert len(questions) == 1
    # The category press is delivered twice the same way: the report is filed once.
    hw.sb.lose_webhook_answers(1, status=502)
    pressed = hw.sb.press(resident, questions[0], buttons(questions[0])[INFRA])
    await hw.settle_all()
    update_id = pressed.updates[0]["update_id"]
    assert [p.status for p in hw.sb.pushes if p.update_id == update_id] == [502, 200]
    assert len(await reports_from(hw, chat)) == 1
    number = await hw.db.scalar("SELECT MAX(id) FROM reports")
    events = await hw.db.fetchall(
        "SELECT action FROM case_events WHERE kind = 'report' AND case_id = ?", (number,)
    )
    assert [e[0] for e in events] == ["filed"]
    cards = [m for m in hw.bot_posts(worker) if f"#{number}" in (m.get("text") or "")]
    assert len(cards) == 1
    info = await hw.app.bot.get_webhook_info()  # type: ignore[union-attr]
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert info.pending_update_count == 0


async def test_healthz_and_metrics_on_the_webhook_server(hw: Harness, town_w) -> None:
    base = hw.webhook_url.rsplit("/", 1)[0]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as response:
            body = await response.json()
        assert response.status == 200, body
        assert body["checks"]["updates"] == "ok"
        async with session.get(f"{base}/metrics") as response:
            text = await response.text()
        assert response.status == 200
        assert 'gridbot_updates_total{kind="message"}' in text
        await hw.stop_polling()  # the server stops: the update loop is gone
        health = await hw.rt.monitor.health()
        assert health.problems["updates"] == "not polling"


async def test_update_not_stored_is_answered_500_and_posted_again(hw: Harness, town_w) -> None:
    _, resident, chat = town_w
    await hw.settle_all()
    async with hw.db.transaction():
        await hw.db.execute(
            "CREATE TRIGGER full_disk BEFORE INSERT ON inbox_updates "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    sent = hw.sb.send_text(resident, chat, "/report 路灯坏了")
    update_id = sent.updates[0]["update_id"]
    await hw.sb.wait_for(lambda: sum(p.update_id == update_id for p in hw.sb.pushes) >= 2)
    assert {p.status for p in hw.sb.pushes if p.update_id == update_id} == {500}
    assert not hw.inbox.is_done(update_id)  # type: ignore[union-attr]
    async with hw.db.transaction():
        await hw.db.execute("DROP TRIGGER full_disk")
    await hw.settle(sent)
    assert [p.status for p in hw.sb.pushes if p.update_id == update_id][-1] == 200
    assert INFRA in buttons(hw.last(chat))


async def test_doctor_checks_the_webhook_mode(
    hw: Harness, town_w, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(WEBHOOK_SECRET_ENV, raising=False)
    assert hw.config is not None
    public, path = hw.webhook_url.rsplit("/", 1)
    config = tmp_path / "config.toml"

    def write(secret: str) -> None:
        config.write_text(
            f'[bot]\nusername = "gridbot_demo_bot"\n'
            f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{hw.sb.base_url}"\n'
            f'[telegram.webhook]\nurl = "{public}"\npath = "/{path}"\nsecret_token = "{secret}"\n'
            f'[database]\npath = "{hw.config.database.path}"\n',
            encoding="utf-8",
        )

    write(WEBHOOK_SECRET)
    lines: list[str] = []
    assert await run_doctor(config, "en", out=lines.append, webhook=True) == 0, lines
    assert f"✓ Webhook mode: Telegram posts to {hw.webhook_url} (secret token set)." in lines
    assert f"✓ The webhook is set to this installation: {hw.webhook_url}" in lines
    # Polling with this webhook set is blocked.
    lines = []
    assert await run_doctor(config, "en", out=lines.append) == 1
    assert any(line.startswith(f"✗ A webhook is set ({hw.webhook_url})") for line in lines)
    # No secret token: webhook mode cannot start.
    write("")
    lines = []
    assert await run_doctor(config, "en", out=lines.append, webhook=True) == 1
    assert (
        f"✗ Webhook mode cannot start: webhook mode needs a secret token: set "
        f"{WEBHOOK_SECRET_ENV} (or [telegram.webhook] secret_token)"
    ) in lines
