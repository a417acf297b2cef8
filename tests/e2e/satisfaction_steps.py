"""Shared steps for the call-back and me-too tests."""

from __future__ import annotations

from typing import Any

from sandbox.state import Chat, User
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ACCEPT, CONFIRM, RESOLVE, note, press_on

SATISFIED, FAIR, DISSATISFIED = "满意", "基本满意", "不满意"
ME_TOO = "🙋 我也遇到"


async def resolve(h: Harness, worker: User, number: int, text: str = "修好了") -> None:
    """The worker accepts and resolves the report with a note."""
    await press_on(h, worker, number, ACCEPT)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, text)


async def confirm(h: Harness, resident: User, chat: Chat, number: int) -> None:
    """The reporter confirms the resolution in the group."""
    resolved = message_with(h, chat, CONFIRM, number)
    await h.press(resident, resolved, buttons(resolved)[CONFIRM])


def message_with(h: Harness, chat: Chat | User, label: str, number: int) -> dict[str, Any]:
    """The bot's latest message about report #number in a chat with a button `label`."""
    for message in reversed(h.bot_posts(chat)):
        if f"#{number}" in (message.get("text") or "") and label in buttons(message):
            return message
    raise AssertionError(f"no {label} for #{number}: {h.bot_texts(chat)}")


def callback_for(h: Harness, chat: Chat | User, person: User, number: int) -> dict[str, Any]:
    """The call-back question about report #number that mentions `person`."""
    for message in reversed(h.bot_posts(chat)):
        text = message.get("text") or ""
        mentions = [e.get("user", {}).get("id") for e in message.get("entities", [])]
        if f"#{number}" in text and SATISFIED in buttons(message) and person.id in mentions:
            return message
    raise AssertionError(f"no call-back for {person.first_name}: {h.bot_texts(chat)}")


async def rate(h: Harness, person: User, message: dict[str, Any], label: str):
    """Press one of the call-back's buttons."""
    return await h.press(person, message, buttons(message)[label])


async def ratings(h: Harness, number: int) -> list[tuple[str, str | None, str]]:
    """(rater, rating, comment) of a report's call-back questions."""
    rows = await h.db.fetchall(
        "SELECT rater, rating, comment FROM report_ratings WHERE report_id = ? ORDER BY id",
        (number,),
    )
    return [tuple(r) for r in rows]


async def forge(h: Harness, user: User, chat: Chat | User, message: dict[str, Any], data: str):
    """A press with callback data the bot never put on this message."""
    return await h.settle(h.sb.forge_press(user, chat, message["message_id"], data))
