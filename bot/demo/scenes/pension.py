"""Scene: SPEC §1's pension case — a 91-year-old cannot travel to authenticate; her worker
comes home and does it, and the family is told at each step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.demo.stage import Stage, buttons

TITLE = "四、养老认证：91 岁老人行动不便，家属申请上门，网格员上门办好"


async def _tap(stage: Stage, user: Any, chat: Any, label: str) -> None:
    """Press the button labelled `label` on the bot's latest message that has it."""
    for message in reversed(stage.bot_posts(chat)):
        if label in buttons(message):
            await stage.press(user, message, buttons(message)[label])
            return
    raise AssertionError(f"no button {label!r} in {stage.bot_texts(chat)[-2:]}")


async def play(stage: Stage, cast: dict[str, Any]) -> None:
    """The daughter-in-law asks for help in the group, goes private, the worker visits."""
    t = stage.rt.lang(None)
    resident, worker, chat = cast["resident"], cast["worker"], cast["group"]
    stage.transcript.say(
        "王秀英的婆婆李桂英 91 岁，腿脚不便，去不了服务点做年度养老认证，"
        "养老金停发了。王秀英先在群里查政策"
    )
    await stage.send(resident, chat, "/policy 养老金停了")
    await _tap(stage, resident, chat, "养老保险待遇资格认证")
    await stage.send(resident, chat, "/pension")
    stage.transcript.say("她点开群里的按钮，进入与机器人的私聊（姓名、电话不会发在群里）")
    await stage.send(resident, resident, "/start pension")
    await _tap(stage, resident, resident, t("pension.button_family"))
    await stage.send(resident, resident, "李桂英")
    stage.transcript.say("不小心发了完整身份证号：机器人删掉这条消息，不保存、不复述")
    await stage.send(resident, resident, "430124193301010213")
    await stage.send(resident, resident, "0213")
    await stage.send(resident, resident, "13807310213")
    await _tap(stage, resident, resident, t("pension.button_home"))
    await _tap(stage, resident, resident, t("pension.button_submit"))

    stage.transcript.say(f"网格员{cast['worker_record'].name}私聊收到申请，用按钮约好明天上午上门")
    await _tap(stage, worker, worker, t("pension.button_schedule"))
    await _tap(stage, worker, worker, t("pension.tomorrow"))
    await _tap(stage, worker, worker, "10:30")
    stage.clock.advance(timedelta(days=1, hours=1))
    stage.transcript.say("第二天上午，网格员到老人家里，用手机帮老人刷脸认证成功")
    await _tap(stage, worker, worker, t("pension.button_done"))
    stage.transcript.say("月底，李桂英奶奶的养老金恢复发放")
