"""Households nobody of which uses the bot ("no phone") are still counted, and marked in the
worker's lists so that the worker collects in person."""

from __future__ import annotations

from tests.e2e.flowsteps import link_household
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import local


def _line(text: str, head: str) -> str:
    return next(line for line in text.split("\n") if head in line)


async def test_tasks_mark_and_count_households_without_a_linked_account(h: Harness) -> None:
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    await link_household(h, resident, "M1-H2")
    await h.send(worker, worker, "/tasks")
    due = next(t for t in h.bot_texts(worker) if "待联系" in t)
    # Every household is still due and counted, linked or not.
    assert "待联系：4/4" in due and "待走访：4/4" in due
    assert _line(due, "M1户主1").endswith("M1组1号 · 📵 无手机/未绑定")
    assert "📵" not in _line(due, "M1户主2")
    assert "📵 4 户中有 3 户无手机/未绑定" in due
    # Once everybody is linked, neither the marks nor the count show.
    for n, code in enumerate(("M1-H1", "M1-H3", "M1-H4")):
        await link_household(h, h.user(f"居民{n}"), code)
    await h.send(worker, worker, "/tasks")
    due = [t for t in h.bot_texts(worker) if "待联系" in t][-1]
    assert "📵" not in due and "无手机" not in due


async def test_the_household_picker_marks_them_with_a_legend(h: Harness) -> None:
    worker = await h.staff("L4A")
    await link_household(h, h.user("王秀英"), "M1-H1")
    await h.send(worker, worker, "/contact")
    picker = h.last(worker)
    assert "📵 = 无手机/未绑定，需上门收集" in picker["text"]
    labels = [label for label in buttons(picker) if "户主" in label]
    assert [label.endswith("📵") for label in labels] == [False, True, True, True]


async def test_the_monthly_reminder_marks_them(h: Harness) -> None:
    worker = await h.staff("L4A")
    await link_household(h, h.user("王秀英"), "M1-H1")
    h.clock.set(local(2026, 6, 20, 10, 0))
    await h.run_job("reminders:monthly_contact")
    [text] = [t for t in h.bot_texts(worker) if "一月一联系" in t]
    assert "📵" not in _line(text, "M1户主1")
    assert _line(text, "M1户主2").endswith("· 📵 无手机/未绑定")
