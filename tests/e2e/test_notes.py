"""Workers' notes have a length limit (asked again when too long), and any report history,
however long, shows in /status."""

from __future__ import annotations

from models.text_limits import MAX_TEXT, utf16_len
from tests.e2e.flowsteps import town, with_button
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ACCEPT, REJECT, RESOLVE, file_report, note, press_on
from tests.e2e.test_pension import FAIL, _request


async def test_a_resolve_note_too_long_is_refused_and_asked_again(h: Harness) -> None:
    worker, resident, chat = await town(h)
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "换" * 4000)
    texts = h.bot_texts(worker)
    assert "说明太长了（4000 字），请控制在 500 字以内" in texts[-2]
    assert "简要说明" in texts[-1]  # asked again
    assert await h.db.scalar("SELECT status FROM reports") == "accepted"
    await note(h, worker, "换" * 500)
    assert await h.db.scalar("SELECT status FROM reports") == "resolved"
    assert "换" * 500 in h.last_text(chat)  # the resident's notice went out
    assert h.sb.errors() == []


async def test_the_limit_is_configurable_and_counts_for_reject_too(tmp_path) -> None:
    h = await Harness(tmp_path, settings={"reports": {"max_note_length": 20}}).open()
    try:
        worker, resident, chat = await town(h)
        number = await file_report(h, resident, chat)
        await press_on(h, worker, number, REJECT)
        await note(h, worker, "不" * 21)
        assert "请控制在 20 字以内" in h.bot_texts(worker)[-2]
        assert await h.db.scalar("SELECT status FROM reports") == "new"
    finally:
        await h.close()


async def test_any_history_shows_in_status(h: Harness) -> None:
    worker, resident, chat = await town(h)
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ACCEPT)
    # A note written before notes had a limit, with astral characters near the limit.
    async with h.db.transaction():
        await h.db.execute(
            "UPDATE case_events SET note = ? WHERE action = 'accept'", ("𠀀😀" * 1500,)
        )
    before = len(h.bot_posts(resident))
    await h.send(resident, resident, f"/status {number}")
    parts = h.bot_posts(resident)[before:]
    assert len(parts) >= 2 and all(utf16_len(p["text"]) <= MAX_TEXT for p in parts)
    shown = "".join(p["text"] for p in parts)
    assert shown.count("𠀀😀") == 1500 and f"#{number}" in parts[0]["text"]
    assert h.sb.errors() == []


async def test_a_visit_failure_reason_too_long_is_asked_again(h: Harness) -> None:
    worker, resident, _ = await town(h)
    await _request(h, resident)
    card = with_button(h, worker, FAIL)
    await h.press(worker, card, buttons(card)[FAIL])
    await h.send(worker, worker, "住" * 501)
    assert "原因写得太长了（501 字）" in h.last_text(worker)
    assert await h.db.scalar("SELECT status FROM pension_requests") == "open"
    await h.send(worker, worker, "老人住院了")
    row = await h.db.fetchone("SELECT status, outcome_note FROM pension_requests")
    assert tuple(row) == ("failed", "老人住院了")
