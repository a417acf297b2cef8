"""The durable inbox with the real bot: per-chat order without stalling the town, updates
left unfinished by a crash handled after the restart, per-person limits."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from telegram import Update
from telegram.ext import TypeHandler

from bot.clock import to_ts
from bot.inbox import chat_key
from models.redaction import without_id_numbers
from sandbox.actions import Injected
from services.reports import filing
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import INFRA

BUSY = 80


async def test_a_busy_group_holds_up_no_other_chat(h: Harness, town) -> None:
    _, resident, chat = town
    release = asyncio.Event()
    seen: list[str] = []

    async def slow_in_the_busy_group(update: Update, context: object) -> None:
        if update.effective_chat is not None and update.effective_chat.id == chat.id:
            await release.wait()
            if update.message is not None and (update.message.text or "").startswith("/card"):
                seen.append(update.message.text or "")

    assert h.app is not None
    h.app.add_handler(TypeHandler(Update, slow_in_the_busy_group), group=-100)
    backlog = [h.sb.send_text(resident, chat, f"/card {i}") for i in range(BUSY)]
    # A backlog far above the number of updates handled at once, all of one group …
    assert BUSY > h.rt.config.inbox.max_concurrent
    await h.sb.wait_updates_consumed()
    # … and someone else's private /help is answered while it waits.
    other = h.user("李四")
    await h.send(other, other, "/help")
    assert h.bot_texts(other)
    assert not any(h.inbox is not None and h.inbox.is_done(b.update_id or 0) for b in backlog)
    release.set()
    for each in backlog:
        await h.settle(each)
    assert seen == [f"/card {i}" for i in range(BUSY)]  # in the order they were sent


async def _left_unfinished(h: Harness, injected: Injected) -> None:
    """Store an update as the inbox does, as if the bot died before it was handled."""
    assert injected.update is not None
    update = Update.de_json(injected.update, h.app.bot if h.app else None)
    async with h.db.transaction():
        await h.db.execute(
            "INSERT INTO inbox_updates (update_id, chat_key, payload, received_at) "
            "VALUES (?, ?, ?, ?)",
            (
                update.update_id,
                chat_key(update),
                json.dumps(without_id_numbers(injected.update), ensure_ascii=False),
                to_ts(h.clock.now()),
            ),
        )


async def test_a_report_whose_question_was_never_sent_is_asked_after_a_restart(
    h: Harness, town
) -> None:
    _, resident, chat = town
    await h.stop_polling()
    # The bot stored the /report and its draft, then died before asking the category.
    injected = h.sb.send_text(resident, chat, "/report 井盖丢了")
    await _left_unfinished(h, injected)
    assert injected.message_id is not None
    await filing.start(
        h.db,
        h.clock,
        h.rt.config,
        chat_id=chat.id,
        message_id=injected.message_id,
        tg_user_id=resident.id,
        name="王秀英",
        text="井盖丢了",
        photo_file_id=None,
        private=False,
    )
    await h.restart()
    await h.settle_all()
    questions = [m for m in h.bot_posts(chat) if "请选择问题类别" in (m.get("text") or "")]
    assert len(questions) == 1  # asked once: by the stored update, not again for Telegram's copy
    await h.press(resident, questions[0], buttons(questions[0])[INFRA])
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 1
    assert await h.db.scalar("SELECT COUNT(*) FROM inbox_updates WHERE done_at IS NULL") == 0


async def test_a_press_handled_again_after_filing_files_nothing_more(h: Harness, town) -> None:
    _, resident, chat = town
    await h.send(resident, chat, "/report 路灯坏了")
    question = h.last(chat)
    await h.stop_polling()
    # The press was stored, the report filed, and the bot died before it could say so.
    press = h.sb.press(resident, question, buttons(question)[INFRA])
    await _left_unfinished(h, press)
    draft_id = int(buttons(question)[INFRA].split(":")[-2])
    async with h.db.transaction():
        await filing.choose_category(
            h.db, h.clock, h.rt.config, draft_id, "infrastructure", resident.id
        )
    await h.restart()
    await h.settle_all()
    number = await h.db.scalar("SELECT id FROM reports")
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 1
    confirmed = h.sb.message(chat, question["message_id"])
    assert f"#{number}" in confirmed["text"] and not buttons(confirmed)


async def test_reports_and_actions_past_the_limits_are_refused_politely(tmp_path) -> None:
    h = await Harness(
        tmp_path, settings={"limits": {"reports_per_hour": 2, "actions_per_minute": 4}}
    ).open()
    try:
        worker = await h.staff("L4A", "张秀兰")
        resident = h.user("王秀英")
        chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
        await h.send(resident, chat, "/report 路灯坏了")
        await h.send(resident, chat, "/report 水管漏水")
        await h.send(resident, chat, "/report 又一个问题")
        assert "这一小时提交的问题已经比较多了" in h.last_text(chat)
        await h.send(resident, chat, "/report 再一个")
        assert sum("比较多了" in t for t in h.bot_texts(chat)) == 1  # told once
        assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 2
        # An hour later the resident may report again.
        h.clock.advance(timedelta(minutes=61))
        await h.send(resident, chat, "/report 一小时后")
        assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 3
        # Commands and presses: four a minute, then a polite refusal (an alert for a press).
        other = h.user("李四")
        for _ in range(4):
            await h.send(other, other, "/help")
        await h.send(other, other, "/help")
        assert "操作太快了" in h.last_text(other)
        ask = h.last(chat)
        answer = h.answer(await h.press(other, ask, next(iter(buttons(ask).values()))))
        assert answer is not None and "操作太快了" in (answer.get("text") or "")
    finally:
        await h.close()


async def test_an_update_is_stored_as_the_json_received(h: Harness, town) -> None:
    _, resident, chat = town
    sent = await h.send(resident, chat, "/report 路灯坏了")
    pressed = await h.press(resident, h.last(chat), buttons(h.last(chat))[INFRA])
    for injected in (sent, pressed):
        assert injected.update is not None
        stored = await h.db.scalar(
            "SELECT payload FROM inbox_updates WHERE update_id = ?",
            (injected.update["update_id"],),
        )
        assert json.loads(stored) == injected.update  # what the sandbox delivered
    assert "已登记问题" in h.last_text(chat)
