"""Scene 3: the worker logs a home visit with the buttons, then gets the monthly reminder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.demo.stage import Stage, buttons

TITLE = "三、网格员登记入户走访；20日收到“一月一联系”提醒"
# 10:00 on the 20th in the town's zone (02:00 UTC): the monthly reminder's default time.
REMINDER_AT = datetime(2026, 6, 20, 2, 0, tzinfo=UTC)


def _first_household(message: dict[str, Any]) -> str:
    return next(data for label, data in buttons(message).items() if label.startswith("⏳"))


def _labelled(message: dict[str, Any], text: str) -> str:
    return next(data for label, data in buttons(message).items() if text in label)


async def play(stage: Stage, cast: dict[str, Any]) -> None:
    """Log a visit step by step (with the location), then run the monthly reminder job."""
    t = stage.rt.lang(None)
    worker, unit = cast["worker"], cast["unit"]
    await stage.send(worker, worker, "/visit")
    await stage.press(worker, stage.last(worker), _first_household(stage.last(worker)))
    await stage.press(
        worker, stage.last(worker), _labelled(stage.last(worker), t("households.outcome_met"))
    )
    await stage.press(worker, stage.last(worker), _labelled(stage.last(worker), "今天"))
    await stage.send(worker, worker, "老人身体硬朗，反映村口路灯不亮，已登记问题")
    lat, lon = unit.center_lat or 28.2, unit.center_lon or 112.5
    stage.transcript.action(worker.first_name, worker.id, f"(shares location {lat:.4f}, {lon:.4f})")
    await stage.settle(stage.sb.send_location(worker, worker, lat, lon))

    stage.transcript.say("时间来到 6 月 20 日 10:00，“一月一联系”提醒按计划发出")
    stage.clock.set(REMINDER_AT)
    await stage.run_job("reminders:monthly_contact")
    reminder = stage.last(worker)
    await stage.press(worker, reminder, _labelled(reminder, t("households.button_log_contact")))
    await stage.send(worker, worker, "/cancel")
