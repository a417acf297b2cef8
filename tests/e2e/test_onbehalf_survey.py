"""The questionnaire a worker enters for a household (代填): the same questions and
validation, once per household per round (the first stands), its problem filed for the
household."""

from __future__ import annotations

import io

import openpyxl

from sandbox.state import Chat, User
from tests.e2e.flowsteps import link_household, tap
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import MET, forge, household_id, log_entry, press_like
from tests.e2e.reporting import card_of, status_of

SURVEY = "📋 代填本轮问卷"
SHEET = "问卷答复"


async def _answer(h: Harness, worker: User, problem: str | None) -> None:
    """Answer the default questionnaire for the household, as its worker."""
    for score in ("4", "5", "4", "5"):
        await tap(h, worker, worker, score)
    if problem is None:
        await tap(h, worker, worker, "否")
    else:
        await tap(h, worker, worker, "是")
        await tap(h, worker, worker, "民生基础设施建设")
        await h.send(worker, worker, problem)
    await tap(h, worker, worker, "跳过")


async def test_entered_on_a_visit_files_the_households_problem(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, resident, chat = town
    await log_entry(h, worker, "/visit", "M1户主2", MET)
    await press_like(h, worker, SURVEY)
    assert "为 M1户主2 代填（走访时收集）" in "\n".join(h.bot_texts(worker)[-3:])
    for score in ("4", "5", "4", "5"):
        await tap(h, worker, worker, score)
    await tap(h, worker, worker, "是")
    await tap(h, worker, worker, "民生基础设施建设")
    # The same validation: an answer over 500 characters is refused and asked again.
    await h.send(worker, worker, "长" * 501)
    assert "500 字以内" in "\n".join(h.bot_texts(worker)[-2:])
    await h.send(worker, worker, "巷道路灯坏了三盏")
    await tap(h, worker, worker, "跳过")
    # (The worker's card of the report may come after the thanks: it goes through the outbox.)
    done = next(text for text in h.bot_texts(worker) if "代填本轮问卷（" in text)
    assert "已为 M1户主2 代填本轮问卷" in done and "代为登记为 #" in done
    response = await h.db.fetchone("SELECT * FROM survey_responses")
    assert response is not None
    staff = await h.db.scalar("SELECT id FROM staff WHERE code = 'L4A'")
    assert response["household_id"] == await household_id(h, "M1-H2")
    assert (response["entered_by_staff_id"], response["tg_user_id"]) == (staff, worker.id)
    row = await status_of(h, int(response["report_id"]))
    assert (row["reporter_name"], row["recorded_by_staff_id"], row["collected_on"]) == (
        "M1户主2",
        staff,
        "visit",
    )
    assert row["description"] == "巷道路灯坏了三盏" and row["reporter_tg_id"] == 0
    assert ("代报" in card_of(h, worker, row["id"])["text"]) is True
    told = [m["text"] for m in h.bot_posts(chat) if "代为登记" in (m.get("text") or "")]
    assert len(told) == 1 and f"#{row['id']}" in told[0] and "路灯" not in told[0]
    # The household answered for this round: its resident's own /survey is told so.
    await link_household(h, resident, "M1-H2")
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/survey")
    assert "已由网格员于" in h.last_text(resident) and "每户每轮只填一次" in h.last_text(resident)
    assert await h.db.scalar("SELECT COUNT(*) FROM survey_responses") == 1


async def test_a_households_own_answer_stands_over_the_workers(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, resident, _ = town
    await link_household(h, resident, "M1-H1")
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/survey")
    for score in ("3", "3", "3", "3"):
        await tap(h, resident, resident, score)
    await tap(h, resident, resident, "否")
    await tap(h, resident, resident, "跳过")
    assert "问卷已提交" in h.last_text(resident)
    await log_entry(h, worker, "/visit", "M1户主1", MET)
    pressed = await press_like(h, worker, SURVEY)
    assert "填写过本轮问卷" in (h.answer(pressed) or {}).get("text", "")
    assert await h.db.scalar("SELECT COUNT(*) FROM survey_responses") == 1


async def test_from_tasks_without_a_problem_files_nothing(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, _ = town
    await h.send(worker, worker, "/tasks")
    due = next(m for m in h.bot_posts(worker) if "📝 代住户反映问题" in buttons(m))
    await h.press(worker, due, buttons(due)["📝 代住户反映问题"])
    await press_like(h, worker, "M1户主3")
    await press_like(h, worker, SURVEY)
    await _answer(h, worker, None)
    assert "已为 M1户主3 代填本轮问卷" in h.last_text(worker)
    response = await h.db.fetchone("SELECT * FROM survey_responses")
    assert response is not None and response["report_id"] is None
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0


async def test_only_the_households_own_workers_enter_it(h: Harness) -> None:
    target = await household_id(h, "M1-H2")
    people = {
        "resident": h.user("居民甲"),
        "other_l4": await h.staff("L4B", "王芳"),
        "l2": await h.staff("V1C", "周红梅"),
        "l1": await h.staff("C1", "刘建国"),
        "l3": await h.staff("L3A", "李明"),
    }
    h.sb.start_bot(people["resident"])
    for role, person in people.items():
        await h.send(person, person, "/start")
        pressed = await forge(h, person, h.last(person), f"sq:{target}:n")
        if role == "l3":
            assert "代填" in "\n".join(h.bot_texts(person)[-3:]), role
        else:
            answer = h.answer(pressed)
            assert answer is not None and "只有该户所在微网格的网格员" in answer["text"], role
    assert await h.db.scalar("SELECT COUNT(*) FROM survey_responses") == 0


async def test_the_export_names_the_worker_who_entered_it(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, resident, _ = town
    await log_entry(h, worker, "/visit", "M1户主2", MET)
    await press_like(h, worker, SURVEY)
    await _answer(h, worker, None)
    await link_household(h, resident, "M1-H1")  # a household that answered itself
    h.sb.start_bot(resident)
    await h.send(resident, resident, "/survey")
    for score in ("3", "3", "3", "3"):
        await tap(h, resident, resident, score)
    await tap(h, resident, resident, "否")
    await tap(h, resident, resident, "跳过")
    town_cadre = await h.staff("C1")
    await h.send(town_cadre, town_cadre, "/export")
    offer = h.last(town_cadre)
    await h.press(town_cadre, offer, buttons(offer)["Excel 表格（.xlsx）"])
    book = openpyxl.load_workbook(io.BytesIO(h.sb.document(h.last(town_cadre))))
    rows = [[c.value for c in r] for r in book[SHEET].iter_rows()]
    household, entered = rows[0].index("户编号"), rows[0].index("代填网格员")
    assert sorted((r[household], r[entered]) for r in rows[1:]) == [
        ("M1-H1", None),
        ("M1-H2", "张秀兰"),
    ]


async def test_the_survey_button_delivered_twice_starts_once(
    h: Harness, town: tuple[User, User, Chat]
) -> None:
    worker, _, _ = town
    await log_entry(h, worker, "/visit", "M1户主2", MET)
    offer = h.last(worker)
    press = h.sb.press(worker, offer, buttons(offer)[SURVEY])
    await h.settle(press)
    await tap(h, worker, worker, "4")  # the first question answered
    assert h.sb.world.updates.push("callback_query", press.update["callback_query"]) is not None
    await h.settle_all()
    assert len([t for t in h.bot_texts(worker) if "代填（走访时收集）" in t]) == 1
    assert "第 2/8 题" in h.last_text(worker)
