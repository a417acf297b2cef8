"""Reminders end to end with a controllable clock: each kind, quiet hours, catch-up after
downtime, exactly once across restarts, the 403 case."""

from __future__ import annotations

from datetime import timedelta

from bot.storage import grid
from models.reminders import ReminderKind
from sandbox.state import User
from services import reminders
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import (
    MET,
    NOT_HOME,
    PHONE,
    household_id,
    local,
    log_entry,
    press_like,
)

MONTHLY, QUARTERLY = "reminders:monthly_contact", "reminders:quarterly_visit"
WEEKLY, PENSION = "reminders:weekly_checkin", "reminders:pension"
MORNING, CATCH_UP = "reminders:morning", "reminders:catch-up"


def reminders_to(h: Harness, user: User, title: str) -> list[str]:
    """Texts of the reminders of one kind a user got."""
    return [t for t in h.bot_texts(user) if title in t]


async def sends(h: Harness) -> list[tuple[str, str, str, str, str]]:
    rows = await h.db.fetchall(
        "SELECT substr(kind, 10), period_key, recipient, status, error FROM ledger "
        "WHERE kind LIKE 'reminder:%' ORDER BY id"
    )
    return [tuple(r) for r in rows]


async def recipient(h: Harness, code: str) -> str:
    return f"staff:{await h.db.scalar('SELECT id FROM staff WHERE code = ?', (code,))}"


async def test_monthly_contact_lists_each_workers_due_households(h: Harness) -> None:
    a, b, d = await h.staff("L4A"), await h.staff("L4B"), await h.staff("L4D")
    for household in ("M4户主1", "M4户主2"):
        await log_entry(h, d, "/contact", household, PHONE)
    await log_entry(h, a, "/visit", "M1户主1", MET)  # a visit is that month's contact too
    before_d = len(h.bot_texts(d))
    h.clock.set(local(2026, 6, 20, 10, 0))
    await h.run_job(MONTHLY)
    [to_a] = reminders_to(h, a, "一月一联系")
    assert "本月还有 3 户" in to_a and "M1户主1" not in to_a
    assert all(f"M1户主{n}" in to_a for n in (2, 3, 4)) and "M2" not in to_a
    [to_b] = reminders_to(h, b, "一月一联系")
    assert "本月还有 6 户" in to_b and "M2户主1" in to_b and "M3户主3" in to_b
    assert len(h.bot_texts(d)) == before_d  # nothing due, nothing sent
    assert {r[2] for r in await sends(h)} == {await recipient(h, "L4A"), await recipient(h, "L4B")}
    await press_like(h, a, "登记联系")
    assert "登记联系" in h.last_text(a) and "⏳ M1户主2" in str(buttons(h.last(a)))
    # The same run again, and again after a restart: nothing new.
    await h.run_job(MONTHLY)
    await h.restart()
    await h.run_job(MONTHLY)
    await h.run_job(CATCH_UP)
    assert len(reminders_to(h, a, "一月一联系")) == 1
    # The month's second occurrence (the last day) reminds again, with what is still due.
    await log_entry(h, a, "/contact", "M1户主2", PHONE)
    h.clock.set(local(2026, 6, 30, 10, 0))
    await h.run_job(MONTHLY)
    latest = reminders_to(h, a, "一月一联系")[-1]
    assert len(reminders_to(h, a, "一月一联系")) == 2 and "本月还有 2 户" in latest


async def test_quarterly_visit_reminder(h: Harness) -> None:
    a = await h.staff("L4A")
    await log_entry(h, a, "/visit", "M1户主1", MET)
    await log_entry(h, a, "/visit", "M1户主2", NOT_HOME)  # nobody home: still due
    h.clock.set(local(2026, 6, 22, 9, 0))  # a Monday in the quarter's last two weeks
    await h.run_job(QUARTERLY)
    [text] = reminders_to(h, a, "一季度一走访")
    assert "本季度还有 3 户" in text and "M1户主2" in text and "M1户主1" not in text
    assert "登记走访" in buttons(h.last(a)).__repr__()
    runs = {(kind, occurrence) for kind, occurrence, *_ in await sends(h)}
    assert runs == {("quarterly_visit", "2026-06-22T09:00")}


async def test_weekly_checkin_reminder_only_to_grid_workers_not_checked_in(h: Harness) -> None:
    l3a, l3b, l3c, l4a = (
        await h.staff("L3A"),
        await h.staff("L3B"),
        await h.staff("L3C"),
        await h.staff("L4A"),
    )
    await h.send(l3a, l3a, "/checkin")
    await h.settle(h.sb.send_location(l3a, l3a, 28.2, 112.5))
    h.clock.set(local(2026, 6, 12, 9, 0))  # Friday
    await h.run_job(WEEKLY)
    assert reminders_to(h, l3a, "下网格签到提醒") == []
    assert reminders_to(h, l4a, "下网格签到提醒") == []
    [text] = reminders_to(h, l3b, "下网格签到提醒")
    assert "2026-W24" in text and "大屯营村第1网格" in text
    assert len(reminders_to(h, l3c, "下网格签到提醒")) == 1
    await press_like(h, l3b, "签到")
    await h.settle(h.sb.send_location(l3b, l3b, 28.2, 112.5))
    assert "已签到" in h.last_text(l3b)


async def test_pension_reminder_to_the_linked_person_else_the_worker(h: Harness) -> None:
    a, b = await h.staff("L4A", "张秀兰"), await h.staff("L4B", "王芳")
    resident = h.user("王秀英")
    await h.send(resident, resident, "/start")
    m1h2, m2h1 = await household_id(h, "M1-H2"), await household_id(h, "M2-H1")
    await h.db.execute("UPDATE households SET pension_month = 8 WHERE id IN (?, ?)", (m1h2, m2h1))
    await h.db.execute(
        "UPDATE people SET household_id = ? WHERE tg_user_id = ?", (m1h2, resident.id)
    )
    h.clock.set(local(2026, 7, 1, 9, 0))
    await h.run_job(PENSION)
    [to_resident] = reminders_to(h, resident, "养老认证")
    assert "M1户主2" in to_resident and "8月" in to_resident and "张秀兰" in to_resident
    [to_b] = reminders_to(h, b, "养老认证")
    assert "M2户主1" in to_b and "8月" in to_b
    assert reminders_to(h, a, "养老认证") == []


async def test_quiet_hours_wait_for_the_morning(tmp_path) -> None:
    h = await Harness(
        tmp_path, settings={"reminders": {"monthly_contact": ["30 22 20 * *"]}}
    ).open()
    try:
        a = await h.staff("L4A")
        h.clock.set(local(2026, 6, 20, 22, 30))
        await h.run_job(MONTHLY)
        h.clock.set(local(2026, 6, 21, 6, 0))
        await h.run_job(CATCH_UP)
        assert reminders_to(h, a, "一月一联系") == []
        h.clock.set(local(2026, 6, 21, 8, 0))
        await h.run_job(MORNING)
        assert len(reminders_to(h, a, "一月一联系")) == 1
        assert (await sends(h))[0][1] == "2026-06-20T22:30"
    finally:
        await h.close()


async def test_missed_run_caught_up_once_after_downtime(h: Harness) -> None:
    a = await h.staff("L4A")
    h.clock.set(local(2026, 6, 19, 18, 0))
    await h.stop_bot()  # down over the 20th
    h.clock.set(local(2026, 6, 22, 23, 0))
    await h.start_bot()
    await h.run_job(CATCH_UP)  # back at night: still quiet
    assert reminders_to(h, a, "一月一联系") == []
    h.clock.advance(timedelta(hours=9, minutes=30))  # 08:30 on the 23rd
    await h.run_job(CATCH_UP)
    assert len(reminders_to(h, a, "一月一联系")) == 1
    await h.restart()
    await h.run_job(CATCH_UP)
    await h.run_job(MORNING)
    assert len(reminders_to(h, a, "一月一联系")) == 1
    mine = await recipient(h, "L4A")
    monthly = [s for s in await sends(h) if s[0] == "monthly_contact" and s[2] == mine]
    assert [(s[1], s[3]) for s in monthly] == [("2026-06-20T10:00", "sent")]


async def test_stale_runs_are_not_caught_up_in_the_next_period(h: Harness) -> None:
    a = await h.staff("L4A")
    h.clock.set(local(2026, 7, 2, 10, 0))  # the June runs belong to June
    await h.run_job(CATCH_UP)
    assert reminders_to(h, a, "一月一联系") == []


async def test_interrupted_send_is_never_repeated(h: Harness) -> None:
    a, b = await h.staff("L4A"), await h.staff("L4B")
    h.clock.set(local(2026, 6, 20, 10, 0))
    await reminders.plan_due(h.db, h.clock, h.rt.config, [ReminderKind.MONTHLY_CONTACT])
    # A previous process marked L4A's message as being sent, then stopped.
    await h.db.execute(
        "UPDATE ledger SET status = 'sending', claimed_by = 'old' WHERE recipient = ?",
        (await recipient(h, "L4A"),),
    )
    await h.restart()
    await h.run_job(CATCH_UP)
    assert reminders_to(h, a, "一月一联系") == []
    assert len(reminders_to(h, b, "一月一联系")) == 1
    statuses = {r[2]: r[3] for r in await sends(h) if r[0] == "monthly_contact"}
    assert statuses == {
        await recipient(h, "L4A"): "unknown",
        await recipient(h, "L4B"): "sent",
        await recipient(h, "L4D"): "failed",
    }


async def test_blocked_worker_recorded_as_failed_not_retried(h: Harness) -> None:
    a, b = await h.staff("L4A"), await h.staff("L4B")
    h.sb.block_bot(b)
    h.clock.set(local(2026, 6, 20, 10, 0))
    await h.run_job(MONTHLY)
    assert len(reminders_to(h, a, "一月一联系")) == 1
    by = {r[2]: (r[3], r[4]) for r in await sends(h)}
    assert by[await recipient(h, "L4B")] == ("failed", "forbidden")
    attempts = [c for c in h.sb.calls_to("sendMessage") if c.params["chat_id"] in (b.id, str(b.id))]
    assert len(attempts) == 1, [c.params["text"][:30] for c in attempts]
    h.clock.advance(timedelta(hours=1))
    await h.run_job(MONTHLY)
    await h.run_job(MORNING)
    assert (
        len(
            [
                c
                for c in h.sb.calls_to("sendMessage")
                if c.params["chat_id"] in (b.id, str(b.id)) and "一月一联系" in c.params["text"]
            ]
        )
        == 1
    )
    village = await grid.unit_by_code(h.db, "V1")
    other = await grid.unit_by_code(h.db, "V2")
    assert village is not None and other is not None
    failed = {
        (f["code"], f["kind"], f["error"])
        for f in await reminders.failed_sends(h.db, village, local(2026, 6, 1))
    }
    assert ("L4B", "monthly_contact", "forbidden") in failed
    assert ("L3A", "weekly_checkin", "not_linked") in failed  # never linked: no account
    assert {code for code, _, _ in failed} == {"L4B", "L3A", "L3B"}
    elsewhere = await reminders.failed_sends(h.db, other, local(2026, 6, 1))
    assert {f["code"] for f in elsewhere} == {"L4D", "L3C"}


async def test_unlinked_worker_recorded_not_sent(h: Harness) -> None:
    await h.staff("L4A")
    h.clock.set(local(2026, 6, 20, 10, 0))
    await h.run_job(MONTHLY)
    by = {r[2]: (r[3], r[4]) for r in await sends(h)}
    assert by[await recipient(h, "L4D")] == ("failed", "not_linked")
    assert by[await recipient(h, "L4A")] == ("sent", "")
