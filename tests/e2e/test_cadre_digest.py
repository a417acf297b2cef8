"""/digest on demand and the scheduled digests (sent once, charts on the weekly one)."""

from __future__ import annotations

import struct
from datetime import timedelta

from tests.e2e.harness import buttons


async def _file_report(h, resident, group, text, category="民生基础设施建设"):
    await h.send(resident, group, f"/report {text}")
    ask = h.last(group)
    await h.press(resident, ask, buttons(ask)[category])


def _digest(h, user) -> str:
    """The latest digest's text (the parts before its chart)."""
    texts = [m.get("text", "") for m in h.bot_posts(user) if "text" in m]
    return texts[-1]


async def test_digest_on_demand_with_unit_and_period_buttons(h):
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await _file_report(h, resident, group, "路灯坏了")
    await _file_report(h, resident, group, "邻里纠纷", category="矛盾纠纷化解")
    await h.send(cadre, cadre, "/digest")
    text = _digest(h, cadre)
    assert "大屯营村" in text and "工作周报" in text
    assert (
        "共收集问题2个，就地解决0个，2个正在处理。其中民生基础设施建设类1个、矛盾纠纷化解类1个"
        in text
    )
    assert "大屯营村第1网格：本期收集2个" in text
    chart = h.last(cadre)
    assert "photo" in chart  # the week's digest carries its chart
    keys = buttons(chart)
    assert {"今日", "本周", "本月", "本季度", "大屯营村第1网格", "大屯营村第2网格"} <= set(keys)
    await h.press(cadre, chart, keys["大屯营村第1网格"])
    text = _digest(h, cadre)
    assert "大屯营村第1网格" in text and "益家冲组：本期收集2个" in text
    after = h.last(cadre)
    await h.press(cadre, after, buttons(after)["本月"])
    assert "工作月报" in _digest(h, cadre)


async def test_digest_refused_outside_and_for_other_roles(h):
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    for who in (worker, resident):
        await h.send(who, who, "/digest")
        assert "没有权限" in h.last_text(who)
    await h.send(cadre, cadre, "/digest")
    message = h.last(cadre)
    v2 = await h.db.scalar("SELECT id FROM units WHERE code = 'V2'")
    # A forged button for another village is refused.
    data = next(iter(buttons(message).values())).split(":")
    forged = f"dg:{v2}:w"
    h.sb.world.chats[cadre.id].messages[message["message_id"]].data["reply_markup"] = {
        "inline_keyboard": [[{"text": "x", "callback_data": forged}]]
    }
    pressed = await h.press(cadre, h.sb.message(cadre, message["message_id"]), forged)
    assert "不在您的管辖范围" in h.answer(pressed)["text"]
    assert data[0] == "dg"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_scheduled_digests_are_sent_once_even_after_a_restart(h):
    town, village, grid_worker = (await h.staff("C1"), await h.staff("V1C"), await h.staff("L3A"))
    worker = await h.staff("L4A")  # L4 workers get no digest
    # Thursday 11 June 2026, 08:05 in Shanghai: the daily run of that morning is due.
    h.clock.set(h.clock.now().replace(hour=0, minute=5) + timedelta(days=1))
    await h.run_job("digest-daily")
    for person, name in ((town, "大屯营镇"), (village, "大屯营村"), (grid_worker, "第1网格")):
        assert "工作日报" in h.last_text(person) and name in h.last_text(person)
        assert "统计日期：2026-06-10" in h.last_text(person)
    assert h.bot_texts(worker) == [] or "工作日报" not in h.last_text(worker)
    count = len(h.sb.calls_to("sendMessage"))
    await h.run_job("digest-daily")
    await h.restart()
    await h.run_job("digest-daily")
    assert len(h.sb.calls_to("sendMessage")) == count
    rows = await h.db.fetchall("SELECT kind, period_key, status FROM ledger")
    assert {tuple(r) for r in rows} == {("digest:daily", "2026-06-10", "sent")}
    assert len(rows) == 3


async def test_weekly_digest_has_a_chart(h):
    cadre = await h.staff("V1C")
    # Monday 15 June 08:30 in Shanghai.
    h.clock.set(h.clock.now().replace(hour=0, minute=30) + timedelta(days=5))
    await h.run_job("digest-weekly")
    photo = h.last(cadre)
    assert "photo" in photo
    width, height = _png_size(h.sb.photo_bytes(photo))
    assert 600 <= width <= 1200 and 400 <= height <= 3000
    assert any("工作周报" in t and "2026-06-08 至 2026-06-14" in t for t in h.bot_texts(cadre))


def _dailies(h, person) -> list[str]:
    return [t for t in h.bot_texts(person) if "工作日报" in t]


async def test_a_missed_digest_is_caught_up_once_while_its_day_lasts(h):
    village = await h.staff("V1C")
    # Down from Wednesday evening over Thursday's 08:00 run, back at 21:00 on Thursday.
    await h.stop_bot()
    h.clock.set(h.clock.now().replace(hour=13, minute=0) + timedelta(days=1))
    await h.start_bot()
    await h.run_job("cadre-catch-up")
    [text] = _dailies(h, village)
    assert "统计日期：2026-06-10" in text
    await h.restart()
    await h.run_job("cadre-catch-up")
    assert len(_dailies(h, village)) == 1
    # Friday 07:00: Thursday's run is over, Friday's not yet due.
    h.clock.advance(timedelta(hours=10))
    await h.restart()
    await h.run_job("cadre-catch-up")
    assert len(_dailies(h, village)) == 1


async def test_a_digest_interrupted_mid_send_is_never_repeated(h):
    from services import digest

    town, village = await h.staff("C1"), await h.staff("V1C")
    h.clock.set(h.clock.now().replace(hour=0, minute=5) + timedelta(days=1))
    # A previous process recorded the run and claimed every send, then stopped: one it had
    # not taken yet is still pending.
    run = await digest.claim_scheduled(h.db, h.clock, h.rt.config, "daily", "old")
    assert run is not None and len(run.entries) == 2  # the linked ones
    await h.db.execute(
        "UPDATE ledger SET status = 'pending', claimed_by = NULL WHERE staff_id = ?",
        (await h.db.scalar("SELECT id FROM staff WHERE code = 'V1C'"),),
    )
    await h.restart()
    await h.run_job("cadre-catch-up")
    assert len(_dailies(h, village)) == 1
    assert _dailies(h, town) == []  # its outcome is unknown: better a gap than a duplicate
    rows = await h.db.fetchall(
        "SELECT status, COUNT(*) FROM ledger WHERE kind = 'digest:daily' GROUP BY status"
    )
    assert {tuple(r) for r in rows} == {("sent", 1), ("unknown", 1)}
    sent_id = await h.db.scalar(
        "SELECT message_id FROM ledger WHERE kind = 'digest:daily' AND status = 'sent'"
    )
    assert "工作日报" in h.sb.message(village, sent_id)["text"]


async def test_someone_linked_after_the_run_gets_it_at_the_next_look(h):
    village = await h.staff("V1C")
    h.clock.set(h.clock.now().replace(hour=0, minute=5) + timedelta(days=1))
    await h.run_job("digest-daily")
    assert len(_dailies(h, village)) == 1
    town = await h.staff("C1")  # links later that morning
    h.clock.advance(timedelta(hours=2))
    await h.restart()
    await h.run_job("cadre-catch-up")
    [text] = _dailies(h, town)
    assert "统计日期：2026-06-10" in text
    assert len(_dailies(h, village)) == 1
