"""/visit and /contact end to end: every option, dates, search, pages, permissions, restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.demo.stage import Stage
from services.roster import HouseholdRow
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import (
    CANCEL,
    IN_PERSON,
    MESSAGE,
    MET,
    NOT_HOME,
    PHONE,
    SKIP,
    entries,
    forge,
    household_id,
    log_entry,
    press_like,
    stored_text,
)
from tests.e2e.reporting import ACCEPT, RESOLVE, file_report, note, press_on
from tests.town import test_town as town_roster


async def test_visit_with_every_step(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    await h.send(worker, worker, "/visit")
    picker = h.last(worker)
    labels = list(buttons(picker))
    assert "登记走访" in picker["text"] and "共 4 户" in picker["text"]
    assert [label for label in labels if "户主" in label] == [
        "⏳ M1户主1 · M1组1号 📵",
        "⏳ M1户主2 · M1组2号 📵",
        "⏳ M1户主3 · M1组3号 📵",
        "⏳ M1户主4 · M1组4号 📵",
    ]
    await press_like(h, worker, "M1户主2")
    question = h.last(worker)
    assert question["message_id"] == picker["message_id"]  # edited in place
    assert "M1户主2" in question["text"] and set(buttons(question)) == {MET, NOT_HOME, CANCEL}
    await press_like(h, worker, MET)
    assert "哪天" in h.last_text(worker)
    await press_like(h, worker, "今天 06-10")
    assert "备注" in h.last_text(worker)
    await h.send(worker, worker, "老人身体不错，反映路灯不亮")
    assert "发送我的位置" in h.last_text(worker)
    await h.settle(h.sb.send_location(worker, worker, 28.2001, 112.5002))
    done = stored_text(h, worker)
    assert "已登记走访" in done and "M1户主2" in done and "2026-06-10" in done
    assert "计入本季度走访和本月联系" in done and "已记录走访位置" in done
    [row] = await entries(h)
    assert (row["household"], row["kind"], row["outcome"]) == ("M1-H2", "visit", "met")
    assert (row["counts_contact"], row["counts_visit"]) == (1, 1)
    assert row["happened_on"] == "2026-06-10" and row["note"] == "老人身体不错，反映路灯不亮"
    assert (row["lat"], row["lon"]) == (28.2001, 112.5002)
    assert await h.db.scalar("SELECT COUNT(*) FROM household_drafts") == 0


@pytest.mark.parametrize(
    "outcome, stored", [(PHONE, "phone"), (MESSAGE, "message"), (IN_PERSON, "in_person")]
)
async def test_contact_outcomes(h: Harness, outcome: str, stored: str) -> None:
    worker = await h.staff("L4A")
    await log_entry(h, worker, "/contact", "M1户主3", outcome)
    done = stored_text(h, worker)
    assert "已登记联系" in done and "计入本月联系" in done
    [row] = await entries(h)
    assert (row["kind"], row["outcome"], row["note"]) == ("contact", stored, "")
    assert (row["counts_contact"], row["counts_visit"], row["lat"]) == (1, 0, None)


async def test_not_at_home_counts_for_nothing(h: Harness) -> None:
    worker = await h.staff("L4A")
    await log_entry(h, worker, "/visit", "M1户主1", NOT_HOME)
    assert "仍待走访" in h.last_text(worker)
    [row] = await entries(h)
    assert (row["counts_contact"], row["counts_visit"]) == (0, 0)
    await h.send(worker, worker, "/tasks")
    due = next(t for t in h.bot_texts(worker) if "待联系" in t)
    assert "待联系：4/4" in due and "待走访：4/4" in due


async def test_due_households_marked_and_listed_first(h: Harness) -> None:
    worker = await h.staff("L4A")
    await log_entry(h, worker, "/contact", "M1户主1", PHONE)
    await h.send(worker, worker, "/contact")
    labels = [label for label in buttons(h.last(worker)) if "户主" in label]
    assert labels[0].startswith("⏳ M1户主2") and labels[-1] == "✔️ M1户主1 · M1组1号 📵"


async def test_dates_yesterday_picked_and_typed(h: Harness) -> None:
    worker = await h.staff("L4A")
    await log_entry(h, worker, "/contact", "M1户主1", PHONE, day="昨天 06-09")
    await h.send(worker, worker, "/contact")
    await press_like(h, worker, "M1户主2")
    await press_like(h, worker, PHONE)
    await press_like(h, worker, "选日期")
    months = list(buttons(h.last(worker)))
    assert months[:3] == ["2026年4月", "2026年5月", "2026年6月"]
    await press_like(h, worker, "2026年5月")
    assert "31" in buttons(h.last(worker))
    await h.press(worker, h.last(worker), buttons(h.last(worker))["17"])
    await press_like(h, worker, SKIP)
    for typed, expected in (
        ("2026-04-02", "2026-04-02"),
        ("05-03", "2026-05-03"),
        ("2026/6/1", "2026-06-01"),
    ):
        await h.send(worker, worker, "/contact")
        await press_like(h, worker, "M1户主3")
        await press_like(h, worker, IN_PERSON)
        await h.send(worker, worker, typed)
        assert "备注" in h.last_text(worker), typed
        await press_like(h, worker, SKIP)
        assert expected in stored_text(h, worker)
    days = [r["happened_on"] for r in await entries(h)]
    assert days == ["2026-06-09", "2026-05-17", "2026-04-02", "2026-05-03", "2026-06-01"]


async def test_bad_dates_are_refused_and_nothing_stored(h: Harness) -> None:
    worker = await h.staff("L4A")
    await h.send(worker, worker, "/visit")
    await press_like(h, worker, "M1户主1")
    await press_like(h, worker, MET)
    for typed, says in (
        ("06-11", "还没到"),
        ("2026-07-01", "还没到"),
        ("2026-03-31", "只能补登本季度"),
        ("下周二", "没看懂"),
        ("2026-02-30", "没看懂"),
    ):
        await h.send(worker, worker, typed)
        assert says in h.last_text(worker), (typed, h.last_text(worker))
    assert await entries(h) == []
    await h.send(worker, worker, "06-10")
    assert "备注" in h.last_text(worker)
    await h.send(worker, worker, "长" * 501)
    assert "备注太长了（501 字）" in h.last_text(worker)
    assert await h.db.scalar("SELECT step FROM household_drafts") == "note"
    assert await entries(h) == []


async def test_search_by_name_or_address_substring(h: Harness) -> None:
    worker = await h.staff("L3A")  # G1: M1 (4) and M2 (3)
    await h.send(worker, worker, "/contact")
    assert "共 7 户" in h.last_text(worker)
    await h.send(worker, worker, "户主3")
    labels = [label for label in buttons(h.last(worker)) if "户主" in label]
    assert labels == ["⏳ M1户主3 · M1组3号 📵", "⏳ M2户主3 · M2组3号 📵"]
    await h.send(worker, worker, "M2组 3号")
    labels = [label for label in buttons(h.last(worker)) if "户主" in label]
    assert labels == ["⏳ M2户主3 · M2组3号 📵"]
    await h.send(worker, worker, "没有这个人")
    assert "没有找到" in h.last_text(worker)


async def test_pages(tmp_path) -> None:
    h = await Harness(tmp_path, settings={"households": {"page_size": 3}}).open()
    try:
        worker = await h.staff("L3A")
        await h.send(worker, worker, "/visit")
        assert "第 1/3 页" in h.last_text(worker)
        await press_like(h, worker, "▶️")
        page = h.last(worker)
        assert "第 2/3 页" in page["text"]
        assert next(label for label in buttons(page) if "户主" in label).endswith("M1组4号 📵")
        await press_like(h, worker, "▶️")
        await press_like(h, worker, "M2户主3")
        assert "走访情况" in h.last_text(worker)
    finally:
        await h.close()


async def test_foreign_household_refused(h: Harness) -> None:
    worker = await h.staff("L4A")
    await h.send(worker, worker, "/visit")
    picker = h.last(worker)
    draft = await h.db.scalar("SELECT id FROM household_drafts")
    foreign = await household_id(h, "M4-H1")
    pressed = await forge(h, worker, picker, f"hh:h:{draft}:{foreign}")
    assert "不在您分管" in h.answer(pressed)["text"]
    assert await h.db.scalar("SELECT step FROM household_drafts") == "household"
    grid_worker = await h.staff("L3C")  # G3 holds M4 only
    await h.send(grid_worker, grid_worker, "/contact")
    assert "共 2 户" in h.last_text(grid_worker)
    assert all("M4" in label for label in buttons(h.last(grid_worker)) if "户主" in label)


@pytest.mark.parametrize("code", [None, "V1C", "C1"])
async def test_only_workers_log(h: Harness, code: str | None) -> None:
    person = await h.staff(code) if code else h.user("王秀英")
    for command in ("/visit", "/contact"):
        await h.send(person, person, command)
        assert "只有四级、三级网格员" in h.last_text(person)
    assert await h.db.scalar("SELECT COUNT(*) FROM household_drafts") == 0


async def test_commands_point_to_private_chat(h: Harness) -> None:
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await h.send(worker, group, "/visit")
    assert "私聊" in h.last_text(group)


async def test_cancel_and_stale_buttons(h: Harness) -> None:
    worker = await h.staff("L4A")
    await h.send(worker, worker, "/visit")
    old = h.last(worker)
    await h.send(worker, worker, "/cancel")
    assert "已取消" in h.last_text(worker)
    pressed = await press_like(h, worker, "M1户主1", message=old)
    assert "已失效" in h.answer(pressed)["text"]
    await h.send(worker, worker, "户主")  # no flow: typed text is left alone
    assert "已取消" in h.last_text(worker)
    await h.send(worker, worker, "/visit")
    await press_like(h, worker, CANCEL)
    assert await h.db.scalar("SELECT COUNT(*) FROM household_drafts") == 0


async def test_another_command_leaves_the_flow(h: Harness) -> None:
    worker = await h.staff("L4A")
    await h.send(worker, worker, "/contact")
    await h.send(worker, worker, "/help")
    assert await h.db.scalar("SELECT COUNT(*) FROM household_drafts") == 0


async def test_flow_survives_restart(h: Harness) -> None:
    worker = await h.staff("L4A")
    await h.send(worker, worker, "/visit")
    await press_like(h, worker, "M1户主4")
    await h.restart()
    await press_like(h, worker, MET)
    await press_like(h, worker, "今天")
    await h.restart()
    await h.send(worker, worker, "门口的路要修")
    await h.restart()
    await h.send(worker, worker, "不发位置")
    [row] = await entries(h)
    assert (row["household"], row["note"], row["lat"]) == ("M1-H4", "门口的路要修", None)
    # The same final message delivered again (e.g. after a crash) is not logged twice.
    await h.send(worker, worker, "不发位置")
    assert len(await entries(h)) == 1


async def test_tasks_lists_households_due(h: Harness) -> None:
    worker = await h.staff("L4B")  # M2 (3) and M3 (3)
    await log_entry(h, worker, "/visit", "M3户主1", MET)
    await log_entry(h, worker, "/contact", "M2户主2", PHONE)
    await h.restart()  # the section is added once per process, not once per start
    await h.send(worker, worker, "/tasks")
    [due] = [m for m in h.bot_posts(worker) if "待联系" in m.get("text", "")]
    assert "本月（2026-06）待联系：4/6 户" in due["text"]
    assert "本季度（2026-Q2）待走访：5/6 户" in due["text"]
    contact_part, visit_part = due["text"].split("待走访")
    assert "M2户主2" not in contact_part and "M3户主1" not in contact_part
    assert "M2户主2" in visit_part and "M3户主1" not in visit_part
    assert set(buttons(due)) == {"📞 登记联系", "🏠 登记走访", "📝 代住户反映问题"}
    await press_like(h, worker, "登记走访", message=due)
    assert "登记走访" in h.last_text(worker)


async def test_tasks_for_a_cadre_counts_without_log_buttons(h: Harness) -> None:
    cadre = await h.staff("V1C")
    await h.send(cadre, cadre, "/tasks")
    [due] = [m for m in h.bot_posts(cadre) if "待联系" in m.get("text", "")]
    assert "待联系：10/10 户" in due["text"] and "……还有" not in due["text"]
    assert buttons(due) == {}


async def test_report_note_reply_is_not_taken_as_the_visit_note(h: Harness) -> None:
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    number = await file_report(h, resident, group, "路灯坏了")
    await h.send(worker, worker, "/visit")
    await press_like(h, worker, "M1户主1")
    await press_like(h, worker, MET)
    await press_like(h, worker, "今天")
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "换了灯泡")
    assert await h.db.scalar("SELECT status FROM reports WHERE id = ?", (number,)) == "resolved"
    assert await h.db.scalar("SELECT step FROM household_drafts") == "note"
    await h.send(worker, worker, "走访顺利")
    await h.send(worker, worker, "不发位置")
    [row] = await entries(h)
    assert row["note"] == "走访顺利"


@pytest.mark.parametrize(
    "settings, idle_after",
    [
        ({"flows": {"timeout": "3h"}}, timedelta(hours=3)),
        # The deprecated key still decides for /visit, /contact and /checkin when set.
        ({"flows": {"timeout": "3h"}, "households": {"flow_timeout": "1h"}}, timedelta(hours=1)),
    ],
)
async def test_unfinished_visit_is_forgotten_after_the_idle_timeout(
    tmp_path, settings: dict[str, Any], idle_after: timedelta
) -> None:
    h = await Harness(tmp_path, settings=settings).open()
    try:
        worker = await h.staff("L4A")
        await h.send(worker, worker, "/visit")
        await press_like(h, worker, "M1户主2")
        await press_like(h, worker, MET)
        await press_like(h, worker, "今天")
        h.clock.advance(idle_after - timedelta(minutes=1))
        await h.send(worker, worker, "还在等备注")
        assert "发送我的位置" in h.last_text(worker)
        h.clock.advance(idle_after + timedelta(minutes=1))
        await h.send(worker, worker, "不发位置")
        assert await entries(h) == []
    finally:
        await h.close()


async def test_tasks_for_a_town_cadre_names_the_first_few_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    """A cadre's /tasks counts every due household of the town in SQL and names the first 15
    of each list (a town or a county is never loaded whole)."""
    roster = town_roster()
    extra = tuple(
        HouseholdRow(code=f"M2-X{n}", micro_grid_code="M2", head_name=f"新户{n}", address=f"{n}号")
        for n in range(1, 21)
    )
    households = roster.households + extra
    k = await Stage(tmp_path, roster.model_copy(update={"households": households})).open()
    try:
        total = int(await k.db.scalar("SELECT COUNT(*) FROM households WHERE active = 1"))
        assert total == len(households) > 20
        worker = await k.staff("L4A")
        await log_entry(k, worker, "/contact", "M1户主1", PHONE)
        cadre = await k.staff("C1")
        await k.send(cadre, cadre, "/tasks")
        [due] = [m for m in k.bot_posts(cadre) if "待联系" in m.get("text", "")]
        contact_part, visit_part = due["text"].split("待走访")
        assert f"待联系：{total - 1}/{total} 户" in contact_part
        assert f"待走访：{total}/{total} 户" in due["text"]
        assert "15. " in contact_part and "16. " not in contact_part
        assert f"……还有 {total - 1 - 15} 户" in contact_part
        assert "M1户主1" not in contact_part and "M1户主1" in visit_part
        assert f"……还有 {total - 15} 户" in visit_part
    finally:
        await k.close()
