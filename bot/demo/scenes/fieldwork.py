"""Scene: field work. The worker visits an elderly resident who has no phone, records her
problem by voice (代报) and her questionnaire (代填); the problem is solved, she says so and is
satisfied (the worker records it on her word), and the village digest counts it as collected
on a visit."""

from __future__ import annotations

from typing import Any

from bot.demo.stage import Stage, buttons

TITLE = "六、网格员走访独居老人：语音代报问题、代填问卷；解决后回访满意，村简报计入走访收集"
VOICE_SECONDS = 35


def _latest_with(stage: Stage, chat: Any, label: str) -> tuple[dict[str, Any], str]:
    """The bot's latest message in `chat` with a button whose label contains `label`."""
    for message in reversed(stage.bot_posts(chat)):
        for text, data in buttons(message).items():
            if label in text:
                return message, data
    raise AssertionError(f"no button {label!r} in {stage.bot_texts(chat)[-2:]}")


async def _tap(stage: Stage, user: Any, label: str) -> None:
    message, data = _latest_with(stage, user, label)
    await stage.press(user, message, data)


async def _elderly_household(stage: Stage, unit_id: int, offered: dict[str, str]) -> str:
    """The button of an elderly resident living alone (the first offered), else of the first
    household not visited this quarter."""
    rows = await stage.db.fetchall(
        "SELECT head_name FROM households WHERE micro_grid_id = ? AND active = 1 "
        "AND (' ' || tags || ' ') LIKE '% elderly_alone %' ORDER BY code",
        (unit_id,),
    )
    for row in rows:
        for label, data in offered.items():
            if row["head_name"] in label:
                return data
    return next(data for label, data in offered.items() if label.startswith("⏳"))


async def play(stage: Stage, cast: dict[str, Any]) -> None:
    """Visit, record the problem by voice and the questionnaire, solve it, call back, digest."""
    t = stage.rt.lang(None)
    worker, unit, cadre = cast["worker"], cast["unit"], cast["village_cadre"]
    stage.transcript.say("网格员上门走访一位独居老人：她没有智能手机，也不在联系群里")
    await stage.send(worker, worker, "/visit")
    picker = stage.last(worker)
    await stage.press(worker, picker, await _elderly_household(stage, unit.id, buttons(picker)))
    await _tap(stage, worker, t("households.outcome_met"))
    await _tap(stage, worker, "今天")
    await stage.send(worker, worker, "老人身体还好，反映屋后排水沟堵了")
    lat, lon = unit.center_lat or 28.2, unit.center_lon or 112.5
    stage.transcript.action(worker.first_name, worker.id, f"(shares location {lat:.4f}, {lon:.4f})")
    await stage.settle(stage.sb.send_location(worker, worker, lat, lon))

    stage.transcript.say("走访登记后，网格员为该户代报问题：老人口述，网格员录一段语音")
    await _tap(stage, worker, t("onbehalf.button_file"))
    await _tap(stage, worker, stage.rt.config.categories[0].label(t.code))
    question = stage.last(worker)
    stage.transcript.action(
        worker.first_name, worker.id, f"(replies with a voice message, 0:{VOICE_SECONDS})"
    )
    await stage.settle(
        stage.sb.send_media(worker, worker, "voice", VOICE_SECONDS, reply_to=question["message_id"])
    )

    stage.transcript.say("接着代填本轮问卷（问题已代报，问卷里不再重复登记）")
    await _tap(stage, worker, t("onbehalf.button_survey"))
    for score in ("5", "4", "5", "5"):
        await _tap(stage, worker, score)
    await _tap(stage, worker, t("survey.no"))
    await _tap(stage, worker, "跳过")

    stage.transcript.say("网格员受理并解决，回到老人家里核实，按老人的意思代记回访")
    await _tap(stage, worker, t("reports.button_accept"))
    await _tap(stage, worker, t("reports.button_resolve"))
    question = stage.last(worker)
    await stage.send(worker, worker, "已组织清理排水沟", reply_to=question["message_id"])
    await _tap(stage, worker, t("reports.button_household_confirm"))
    await _tap(stage, worker, t("satisfaction.owner_button_satisfied"))

    stage.transcript.say("村干部查看本村简报：走访收集的问题单独计数")
    await stage.send(cadre, cadre, "/digest")
