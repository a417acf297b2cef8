"""Last scene: Monday morning the village cadre receives the weekly digest with its chart,
then looks at the village's board; a resident sees the same board in the group."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.demo.stage import Stage
from scheduler.cadre import WEEKLY_JOB

TITLE = "七、村干部收到每周简报和图表；群众在群里查看问题清单"
CHART_FILE = "weekly-digest-chart.png"


async def play(stage: Stage, cast: dict[str, Any]) -> None:
    """Jump to Monday 08:05, run the weekly digest, save its chart, show the board."""
    cadre = cast["village_cadre"]
    tz = stage.rt.config.tz
    local = stage.clock.now().astimezone(tz)
    monday = (local + timedelta(days=(7 - local.weekday()) % 7 or 7)).replace(
        hour=8, minute=5, second=0, microsecond=0
    )
    stage.clock.set(monday)
    when = monday.strftime("%Y-%m-%d %H:%M")
    stage.transcript.say(f"时间来到 {when}（周一），系统按计划发送上周的工作周报")
    await stage.run_job(WEEKLY_JOB)
    photo = next(m for m in reversed(stage.bot_posts(cadre)) if "photo" in m)
    path = cast["out"] / CHART_FILE
    path.write_bytes(stage.sb.photo_bytes(photo))
    stage.transcript.say(f"周报附带的图表已保存为 {path}，可以直接打开查看")
    await stage.send(cadre, cadre, "/board")
    resident, group = cast["resident"], cast["group"]
    stage.transcript.say("群众在联系群里查看本村的问题清单（不显示姓名和电话）")
    await stage.send(resident, group, "/board")
