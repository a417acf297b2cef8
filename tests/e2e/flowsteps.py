"""Shared steps for the step-by-step flow tests (questionnaire, pension help, policy)."""

from __future__ import annotations

from typing import Any

from sandbox.actions import Injected
from sandbox.state import Chat, User
from tests.e2e.harness import Harness, buttons


async def link_household(h: Harness, user: User, household_code: str) -> None:
    """Link a resident to a household (what an approved /join does)."""
    async with h.db.transaction():
        await h.db.execute(
            "INSERT OR IGNORE INTO people (tg_user_id, display_name, first_seen_at, updated_at) "
            "VALUES (?, ?, 0, 0)",
            (user.id, user.first_name),
        )
        await h.db.execute(
            "UPDATE people SET household_id = (SELECT id FROM households WHERE code = ?) "
            "WHERE tg_user_id = ?",
            (household_code, user.id),
        )


async def town(h: Harness) -> tuple[User, User, Chat]:
    """The worker of M1, a resident who has spoken in M1's group and opened the bot."""
    worker = await h.staff("L4A", "张秀兰")
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await h.send(resident, chat, "大家好")
    h.sb.start_bot(resident)
    return worker, resident, chat


def with_button(h: Harness, chat: Chat | User, label: str) -> dict[str, Any]:
    """The bot's latest message in a chat that has a button labelled `label`."""
    for message in reversed(h.bot_posts(chat)):
        if label in buttons(message):
            return message
    raise AssertionError(f"no button {label!r} in {h.bot_texts(chat)[-3:]}")


async def tap(h: Harness, user: User, chat: Chat | User, label: str) -> Injected:
    """Press the button labelled `label` on the bot's latest message that has it."""
    message = with_button(h, chat, label)
    return await h.press(user, message, buttons(message)[label])


async def table_dump(h: Harness) -> str:
    """Every value of every table, as one text (to look for what must never be stored)."""
    rows = await h.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    out = []
    for row in rows:
        for values in await h.db.fetchall(f'SELECT * FROM "{row["name"]}"'):
            out.append(" ".join(str(v) for v in tuple(values)))
    return "\n".join(out)
