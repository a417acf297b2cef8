"""Scene 2: a report is accepted, resolved and confirmed; another climbs to the grid worker."""

from __future__ import annotations

from typing import Any

from bot.demo.stage import Stage, buttons
from bot.texts import Lang

TITLE = "二、群众反映问题：受理 → 解决 → 确认；另一个问题上报到三级网格员"


def _button(t: Lang, move: str) -> str:
    return t(f"reports.button_{move}")


async def play(stage: Stage, cast: dict[str, Any]) -> None:
    """File, accept, resolve, confirm; then file and escalate a second report."""
    t = stage.rt.lang(None)
    resident, worker, chat = cast["resident"], cast["worker"], cast["group"]
    category = stage.rt.config.categories[0].label(t.code)

    await stage.send(resident, chat, "/report 村口的路灯坏了三天了，晚上很黑")
    await stage.press(resident, stage.last(chat), buttons(stage.last(chat))[category])
    card = stage.last(worker)
    await stage.press(worker, card, buttons(card)[_button(t, "accept")])
    card = stage.last(worker)
    await stage.press(worker, card, buttons(card)[_button(t, "resolve")])
    question = stage.last(worker)
    await stage.send(worker, worker, "已联系电工换了灯泡", reply_to=question["message_id"])
    notice = stage.last(chat)
    await stage.press(resident, notice, buttons(notice)[_button(t, "confirm")])

    neighbour = cast["neighbour"]
    dispute = stage.rt.config.categories[2].label(t.code)
    await stage.send(neighbour, chat, "/report")
    await stage.press(neighbour, stage.last(chat), buttons(stage.last(chat))[dispute])
    question = stage.last(chat)
    await stage.send(
        neighbour, chat, "和邻居因为宅基地边界吵起来了，需要调解", reply_to=question["message_id"]
    )
    card = stage.last(worker)
    await stage.press(worker, card, buttons(card)[_button(t, "escalate")])
    grid_worker = cast["grid_worker"]
    card = stage.last(grid_worker)
    await stage.press(grid_worker, card, buttons(card)[_button(t, "accept")])
