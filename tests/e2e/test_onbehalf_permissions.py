"""Who may file for a household (代报) and record its word: every new command and button,
tried by residents, other micro-grids' workers, the grid's worker and cadres."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.state import Chat, User
from tests.e2e.flowsteps import link_household
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import MET, NOT_HOME, forge, household_id, log_entry
from tests.e2e.reporting import RESOLVE, note, press_on, status_of
from tests.e2e.test_onbehalf import HH_CONFIRM, from_visit

# Role → staff code (None: a resident who is no staff).
ROLES = {"resident": None, "l4": "L4A", "other_l4": "L4B", "l3": "L3A", "l2": "V1C", "l1": "C1"}
MAY = {"l4", "l3"}  # the household's own worker, and the grid's above it
USE_GROUP = "请在您所在微网格的联系群里"


async def _person(h: Harness, role: str) -> User:
    code = ROLES[role]
    if code is None:
        person = h.user("居民甲")
        h.sb.start_bot(person)
        return person
    return await h.staff(code, f"{role}-{code}")


@pytest.mark.parametrize("role", ROLES)
async def test_report_in_private(h: Harness, role: str) -> None:
    person = await _person(h, role)
    await h.send(person, person, "/report 路灯坏了")
    text = h.last_text(person)
    if role in MAY:
        total = {"l4": 4, "l3": 7}[role]  # L3A holds G1: M1 (4) and M2 (3)
        assert "代报问题" in text and f"共 {total} 户" in text, text
    elif role == "other_l4":
        assert "代报问题" in text and "M1户主" not in str(buttons(h.last(person)))
    else:
        assert USE_GROUP in text, (role, text)


@pytest.mark.parametrize("role", ROLES)
async def test_the_file_for_button(h: Harness, role: str) -> None:
    person = await _person(h, role)
    await h.send(person, person, "/start")
    target = await household_id(h, "M1-H2")
    pressed = await forge(h, person, h.last(person), f"ob:s:{target}:n")
    if role in MAY:
        assert "为 M1户主2 · M1组2号 代报问题" in "\n".join(h.bot_texts(person))
    else:
        answer = h.answer(pressed)
        assert answer is not None and "只有该户所在微网格的网格员" in answer["text"], role
        assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0


@pytest.mark.parametrize("role", ROLES)
async def test_the_pick_button(h: Harness, role: str) -> None:
    person = await _person(h, role)
    await h.send(person, person, "/start")
    pressed = await forge(h, person, h.last(person), "ob:p")
    picked = "代报问题" in h.last_text(person)
    assert picked == (role in {"l4", "l3", "other_l4"}), role
    if not picked:
        answer = h.answer(pressed)
        assert answer is not None and answer["text"], role


@pytest.mark.parametrize("role", ["resident", "other_l4", "l2", "l1"])
async def test_the_households_word_buttons(
    h: Harness, town: tuple[User, User, Chat], role: str
) -> None:
    worker, _, _ = town
    number = await from_visit(h, worker)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "已疏通")
    person = await _person(h, role)
    await h.send(person, person, "/start")
    for code in ("hcf", "hro"):
        pressed = await forge(h, person, h.last(person), f"r:{code}:{number}")
        answer = h.answer(pressed)
        assert answer is not None and "不能处理" in answer["text"], (role, code)
    assert (await status_of(h, number))["status"] == "resolved"


async def test_the_grid_worker_may_record_the_households_word(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, _ = town
    number = await from_visit(h, worker)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "已疏通")
    grid_worker = await h.staff("L3A", "李明")
    await h.send(grid_worker, grid_worker, "/start")
    await forge(h, grid_worker, h.last(grid_worker), f"r:hcf:{number}")
    assert (await status_of(h, number))["status"] == "closed"


async def test_with_a_linked_resident_the_worker_may_not_answer_for_the_household(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, resident, _ = town
    await link_household(h, resident, "M1-H2")
    number = await from_visit(h, worker)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "已疏通")
    pressed = await forge(h, worker, h.last(worker), f"r:hcf:{number}")
    answer = h.answer(pressed)
    assert answer is not None and "不能处理" in answer["text"]
    # Nor may another resident confirm in the household's place.
    stranger = h.user("路人")
    h.sb.start_bot(stranger)
    await h.send(stranger, stranger, "/start")
    pressed = await forge(h, stranger, h.last(stranger), f"r:cfm:{number}")
    assert "不能处理" in (h.answer(pressed) or {}).get("text", "")
    assert (await status_of(h, number))["status"] == "resolved"
    assert HH_CONFIRM not in str([buttons(m) for m in h.bot_posts(worker)])


async def test_collected_on_a_visit_needs_a_recent_visit_with_the_household_met(
    h: Harness,
) -> None:
    worker = await h.staff("L4A", "张秀兰")
    h2, h3 = await household_id(h, "M1-H2"), await household_id(h, "M1-H3")
    await log_entry(h, worker, "/visit", "M1户主2", MET)
    await log_entry(h, worker, "/visit", "M1户主3", NOT_HOME)
    refusals = {
        f"ob:s:{h3}:v": "没有找到您最近对该户的走访记录",  # nobody was at home
        f"sq:{h3}:v": "没有找到您最近对该户的走访记录",
        f"ob:s:{h2}:c": "没有找到您最近与该户的联系记录",  # a visit is not a contact log
    }
    for data, says in refusals.items():
        pressed = await forge(h, worker, h.last(worker), data)
        assert says in (h.answer(pressed) or {}).get("text", ""), data
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 0
    # A day later the visit no longer marks what is filed as collected on it.
    h.clock.advance(timedelta(hours=25))
    pressed = await forge(h, worker, h.last(worker), f"ob:s:{h2}:v")
    assert "没有找到您最近对该户的走访记录" in (h.answer(pressed) or {}).get("text", "")
    await forge(h, worker, h.last(worker), f"ob:s:{h2}:n")  # not as collected: allowed
    assert await h.db.scalar("SELECT COUNT(*) FROM report_drafts") == 1


async def test_a_worker_linked_to_a_household_reports_their_own_in_private(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    await link_household(h, worker, "M1-H1")
    await h.send(worker, worker, "/report 自家门口路灯坏了")
    assert "请选择问题类别" in h.last_text(worker) and "代报问题" not in h.last_text(worker)
    await h.send(worker, worker, "/tasks")  # the household list stays one button away
    assert any("📝 代住户反映问题" in buttons(m) for m in h.bot_posts(worker))
