"""The questionnaire end to end: every question type, show_if, Done, one answer per household,
the report it files, restarts, and the group pointing to the private chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.flowsteps import link_household, tap, town, with_button
from tests.e2e.harness import Harness, buttons
from tests.unit.test_questionnaire_file import VALID


@pytest.fixture
async def every_type(tmp_path: Path) -> AsyncIterator[Harness]:
    path = tmp_path / "questionnaire.toml"
    path.write_text(VALID, encoding="utf-8")
    harness = await Harness(tmp_path, settings={"flows": {"survey": {"file": str(path)}}}).open()
    try:
        yield harness
    finally:
        await harness.close()


async def _stored(h: Harness) -> list[tuple[str, object, object]]:
    rows = await h.db.fetchall(
        "SELECT question_id, value_text, value_num FROM survey_answers ORDER BY position"
    )
    return [tuple(r) for r in rows]


async def test_default_questionnaire_files_a_real_report(h: Harness) -> None:
    worker, resident, _chat = await town(h)
    await link_household(h, resident, "M1-H2")
    await h.send(resident, resident, "/survey")
    assert "网格群众满意度问卷" in h.bot_texts(resident)[-2]
    for score in ("5", "4", "4", "3"):
        await tap(h, resident, resident, score)
    assert "第 5/8 题" in h.last_text(resident)
    answered = h.bot_posts(resident)[-2]
    assert answered["text"].startswith("第 4/8 题") and "→ 3" in answered["text"]
    assert "<b>" not in answered["text"] and buttons(answered) == {}
    assert await h.db.scalar("SELECT COUNT(*) FROM survey_responses") == 0
    await tap(h, resident, resident, "是")
    await tap(h, resident, resident, "民生基础设施建设")
    await h.send(resident, resident, "组里的水渠堵了，下雨就漫到路上")
    description_id = h.sb.messages(resident)[-1]["message_id"] - 1
    await tap(h, resident, resident, "跳过")
    texts = h.bot_texts(resident)
    assert "问卷已提交" in texts[-1] and "张秀兰" in texts[-1]
    assert buttons(h.last(resident)) == {"📇 网格联系卡": "fc:card"}
    report = await h.db.fetchone("SELECT * FROM reports")
    assert report is not None and report["category"] == "infrastructure"
    assert report["description"] == "组里的水渠堵了，下雨就漫到路上"
    assert report["source_chat_id"] == resident.id
    assert report["source_message_id"] == description_id
    assert report["household_id"] is not None
    assert f"#{report['id']}" in h.last_text(worker) and buttons(h.last(worker))
    response = await h.db.fetchone("SELECT * FROM survey_responses")
    assert response["report_id"] == report["id"] and response["round_code"] == "2026Q2"
    assert (await _stored(h))[:5] == [
        ("satisfaction", None, 5.0),
        ("happiness", None, 4.0),
        ("gain", None, 4.0),
        ("security", None, 3.0),
        ("has_problem", "yes", None),
    ]
    # The card button at the end shows the micro-grid's contact card.
    await tap(h, resident, resident, "📇 网格联系卡")
    assert "网格联系卡 · 益家冲组" in h.last_text(resident)


async def test_every_type_with_good_and_bad_answers(every_type: Harness) -> None:
    h = every_type
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H1")
    await h.send(resident, resident, "/survey")
    assert "心情如何" in h.last_text(resident)
    await h.send(resident, resident, "7")
    assert "请点 1 到 5 的按钮" in h.bot_texts(resident)[-2] and "心情如何" in h.last_text(resident)
    await h.send(resident, resident, "4分")  # rating, typed
    assert "最喜欢的水果" in h.last_text(resident)
    await h.send(resident, resident, "香蕉")
    assert "请点下面的按钮选择" in h.bot_texts(resident)[-2]
    await tap(h, resident, resident, "梨")  # single, button
    question = h.last(resident)
    assert "种了什么" in question["text"] and "可以多选" in question["text"]
    done = await h.press(resident, question, buttons(question)["✅ 完成"])
    assert not (h.answer(done) or {}).get("show_alert")  # optional: skipped
    await h.send(resident, resident, "/survey")  # resumes, not restarts
    assert "接着上次的问卷继续" in h.bot_texts(resident)[-2]
    assert "家里几口人" in h.last_text(resident)


async def test_multiple_choice_toggles_and_done(every_type: Harness) -> None:
    h = every_type
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H1")
    await h.send(resident, resident, "/survey")
    await tap(h, resident, resident, "3")
    await tap(h, resident, resident, "苹果")
    await h.send(resident, resident, "水稻")  # typed on a multiple
    assert "选好后点“完成”" in h.bot_texts(resident)[-2]
    await tap(h, resident, resident, "☐ 水稻")
    await tap(h, resident, resident, "☐ 茶叶")
    question = with_button(h, resident, "✅ 完成")
    assert set(buttons(question)) == {"☑ 水稻", "☑ 茶叶", "✅ 完成"}
    await tap(h, resident, resident, "☑ 茶叶")  # untoggle
    await tap(h, resident, resident, "✅ 完成")
    assert "→ 水稻" in h.bot_texts(resident)[-2]
    for bad, message in (("三口", "请输入一个数字"), ("0", "不在范围内（1–20）")):
        await h.send(resident, resident, bad)
        assert message in h.bot_texts(resident)[-2]
        assert "家里几口人" in h.last_text(resident)
    await h.send(resident, resident, "4")
    await tap(h, resident, resident, "否")  # show_if: kind, what shown
    await tap(h, resident, resident, "政策咨询")
    await h.send(resident, resident, "长" * 51)
    assert "写几句话，50 字以内" in h.bot_texts(resident)[-2]  # the question's own message
    await h.send(resident, resident, "补贴什么时候发")
    assert "问卷已提交" in h.last_text(resident)
    assert await _stored(h) == [
        ("mood", None, 3.0),
        ("fruit", "apple", None),
        ("crops", '["rice"]', None),
        ("people", None, 4.0),
        ("ok", "no", None),
        ("kind", "policy", None),
        ("what", "补贴什么时候发", None),
    ]
    assert await h.db.scalar("SELECT category FROM reports") == "policy"


async def test_show_if_skips_and_an_old_button_is_refused(every_type: Harness) -> None:
    h = every_type
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H1")
    await h.send(resident, resident, "/survey")
    first = h.last(resident)
    await h.press(resident, first, buttons(first)["2"])
    again = await h.press(resident, first, "sv:a:0:4")  # the first question's button
    assert "已经答过了" in h.answer(again)["text"]
    await tap(h, resident, resident, "苹果")
    await tap(h, resident, resident, "✅ 完成")
    await h.send(resident, resident, "2")
    await tap(h, resident, resident, "是")  # kind and what are skipped
    assert "问卷已提交" in h.last_text(resident)
    assert [r[0] for r in await _stored(h)] == ["mood", "fruit", "people", "ok"]
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == 0


async def test_one_answer_per_household_per_round(h: Harness) -> None:
    _, resident, _chat = await town(h)
    spouse = h.user("李德福")
    h.sb.start_bot(spouse)
    for person in (resident, spouse):
        await link_household(h, person, "M1-H1")
    await h.send(resident, resident, "/survey")
    for score in ("5", "5", "4", "4"):
        await tap(h, resident, resident, score)
    await tap(h, resident, resident, "否")
    await tap(h, resident, resident, "跳过")
    await h.send(spouse, spouse, "/survey")
    assert "本户已于 2026-06-10 10:00 填写过本轮问卷（2026Q2）" in h.last_text(spouse)
    # The next quarter is a new round.
    from datetime import timedelta

    h.clock.advance(timedelta(days=30))
    await h.send(spouse, spouse, "/survey")
    assert "第 1/8 题" in h.last_text(spouse)


async def test_a_resident_without_household_is_told_how_to_link(h: Harness) -> None:
    _, resident, _ = await town(h)
    await h.send(resident, resident, "/survey")
    assert "/join" in h.last_text(resident) and not buttons(h.last(resident))


async def test_restart_in_the_middle_resumes_at_the_same_step(h: Harness) -> None:
    _, resident, _ = await town(h)
    await link_household(h, resident, "M1-H3")
    await h.send(resident, resident, "/survey")
    await tap(h, resident, resident, "5")
    await tap(h, resident, resident, "4")
    question = h.last(resident)
    assert "第 3/8 题" in question["text"]
    # The step is written through at once, before any shutdown flush.
    assert await h.db.scalar("SELECT state FROM flow_conversations") == '"survey"'
    await h.restart()
    await h.press(resident, question, buttons(question)["3"])
    assert "第 4/8 题" in h.last_text(resident)
    await tap(h, resident, resident, "2")
    await tap(h, resident, resident, "否")
    await tap(h, resident, resident, "跳过")
    assert "问卷已提交" in h.last_text(resident)
    assert [r[2] for r in (await _stored(h))[:4]] == [5.0, 4.0, 3.0, 2.0]


async def test_the_group_command_points_to_the_private_chat(h: Harness) -> None:
    _, resident, chat = await town(h)
    await link_household(h, resident, "M1-H1")
    await h.send(resident, chat, "/survey")
    pointer = h.last(chat)
    assert buttons(pointer) == {"👉 打开私聊": "https://t.me/gridbot_demo_bot?start=survey"}
    assert "第 1/8 题" not in "".join(h.bot_texts(chat))
    await h.send(resident, resident, "/start survey")
    assert "第 1/8 题" in h.last_text(resident)
    assert not any("您好" in text for text in h.bot_texts(resident))  # no greeting on top
