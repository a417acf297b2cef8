"""Scene: the questionnaire — a resident links to his household, answers in private, and the
problem he mentions is filed as a real report for the worker."""

from __future__ import annotations

from typing import Any

from bot.demo.stage import Stage, buttons

TITLE = "五、问卷调查：每户一份；问卷里反映的问题直接登记给网格员"


def _with(stage: Stage, chat: Any, accept: Any) -> tuple[dict[str, Any], str]:
    """The bot's latest message in `chat` with a button whose (label, data) `accept` likes."""
    for message in reversed(stage.bot_posts(chat)):
        for label, data in buttons(message).items():
            if accept(label, data):
                return message, data
    raise AssertionError(f"no such button in {stage.bot_texts(chat)[-2:]}")


async def _tap(stage: Stage, user: Any, chat: Any, label: str) -> None:
    message, data = _with(stage, chat, lambda text, _: text == label)
    await stage.press(user, message, data)


async def play(stage: Stage, cast: dict[str, Any]) -> None:
    """李德福 links to his household with /join, then answers the questionnaire."""
    t = stage.rt.lang(None)
    neighbour, worker, chat = cast["neighbour"], cast["worker"], cast["group"]
    stage.transcript.say("李德福先在群里用 /join 关联到自己家，网格员确认")
    await stage.send(neighbour, chat, "/join")
    message, data = _with(stage, chat, lambda _, d: d.startswith("hj:h:"))
    await stage.press(neighbour, message, data)
    await _tap(stage, worker, worker, t("households.button_approve"))
    await stage.send(neighbour, chat, "/survey")
    stage.transcript.say("他点开按钮进入私聊填写问卷（个人回答不会发在群里）")
    await stage.send(neighbour, neighbour, "/start survey")
    for score in ("5", "4", "4", "5"):
        await _tap(stage, neighbour, neighbour, score)
    await _tap(stage, neighbour, neighbour, t("survey.yes"))
    await _tap(stage, neighbour, neighbour, stage.rt.config.categories[0].label(t.code))
    await stage.send(neighbour, neighbour, "村口的水渠堵了，一下雨就漫到路上")
    await stage.send(neighbour, neighbour, "希望多组织几次政策宣讲")
    stage.transcript.say(
        "问卷提交后，反映的问题已作为正式问题登记，网格员私聊收到待办按钮；"
        "同一户再填一次会被告知已经填过"
    )
    await stage.send(neighbour, neighbour, "/survey")
