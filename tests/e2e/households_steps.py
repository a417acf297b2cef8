"""Shared steps for household tests: logging flows, forged buttons, local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.state import User
from tests.e2e.harness import Harness, buttons

TZ = ZoneInfo("Asia/Shanghai")
SKIP, SKIP_LOCATION, CANCEL = "跳过", "不发位置", "✖️ 取消"
MET, NOT_HOME = "✅ 见到了", "🚪 不在家"
PHONE, MESSAGE, IN_PERSON = "📞 电话", "💬 微信/短信", "🤝 当面"


def local(*args: int) -> datetime:
    """An aware datetime in the town's zone."""
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def button_like(message: dict[str, Any], text: str) -> str:
    """The data of the first button whose label contains `text`."""
    for label, data in buttons(message).items():
        if text in label:
            return data
    raise AssertionError(f"no button like {text!r} in {list(buttons(message))}")


async def press_like(h: Harness, user: User, text: str, message: dict[str, Any] | None = None):
    """Press the button containing `text` on the bot's last message to `user` (or `message`)."""
    message = message or h.last(user)
    return await h.press(user, message, button_like(message, text))


async def forge(h: Harness, user: User, message: dict[str, Any], data: str):
    """Press a button the bot never offered (a modified client can send any callback data)."""
    stored = h.sb.chat(message["chat"]["id"]).messages[message["message_id"]]
    for view in (stored.data, message):
        markup = view.setdefault("reply_markup", {"inline_keyboard": []})
        markup["inline_keyboard"].append([{"text": "forged", "callback_data": data}])
    return await h.press(user, message, data)


async def household_id(h: Harness, code: str) -> int:
    """The id of a household by roster code."""
    return int(await h.db.scalar("SELECT id FROM households WHERE code = ?", (code,)))


async def log_entry(
    h: Harness,
    worker: User,
    command: str,
    household: str,
    outcome: str,
    day: str = "今天",
    note: str | None = None,
) -> None:
    """Log a contact or visit with the buttons (no location)."""
    await h.send(worker, worker, command)
    await press_like(h, worker, household)
    await press_like(h, worker, outcome)
    await press_like(h, worker, day)
    if note is None:
        await press_like(h, worker, SKIP)
    else:
        await h.send(worker, worker, note)
    if command == "/visit":
        await h.send(worker, worker, SKIP_LOCATION)


async def entries(h: Harness) -> list[dict[str, Any]]:
    """Every logged contact and visit."""
    rows = await h.db.fetchall(
        "SELECT c.*, h.code AS household FROM contacts c JOIN households h "
        "ON h.id = c.household_id ORDER BY c.id"
    )
    return [dict(r) for r in rows]


def stored_text(h: Harness, worker: User) -> str:
    """What the bot said a contact or visit stored (a household met is followed by the offer
    to report a problem or enter the questionnaire for it)."""
    texts = h.bot_texts(worker)
    return texts[-2] if "可以为该户代报" in texts[-1] else texts[-1]
