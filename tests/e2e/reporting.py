"""Shared steps for report-loop tests."""

from __future__ import annotations

from typing import Any

from sandbox.state import Chat, User
from tests.e2e.harness import Harness, buttons

ACCEPT, RESOLVE, ESCALATE = "✅ 受理", "🛠 已解决", "⬆️ 上报"
CONFIRM, REOPEN, DUPLICATE, REJECT = "👍 确认解决", "↩️ 没解决", "重复", "不予受理"
INFRA = "民生基础设施建设"


async def file_report(
    h: Harness, resident: User, chat: Chat | User, text: str = "路灯坏了", category: str = INFRA
) -> int:
    """File a report with text and a category button; returns its number."""
    await h.send(resident, chat, f"/report {text}")
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[category])
    number = await h.db.scalar("SELECT MAX(id) FROM reports")
    assert number is not None and f"#{number}" in h.last_text(chat), h.bot_texts(chat)
    return int(number)


def card_of(h: Harness, staff: User, number: int) -> dict[str, Any]:
    """The latest private message about report #number that a staff member got."""
    for message in reversed(h.bot_posts(staff)):
        text = message.get("text") or message.get("caption") or ""
        if f"#{number}" in text and buttons(message):
            return message
    raise AssertionError(f"{staff.first_name} has no card for #{number}: {h.bot_texts(staff)}")


async def press_on(h: Harness, staff: User, number: int, label: str):
    """Press a button on a staff member's card of a report."""
    card = card_of(h, staff, number)
    return await h.press(staff, card, buttons(card)[label])


async def note(h: Harness, staff: User, text: str) -> None:
    """Answer the bot's forced-reply question in the staff member's private chat."""
    await h.send(staff, staff, text, reply_to=h.last(staff)["message_id"])


async def status_of(h: Harness, number: int) -> dict[str, Any]:
    """The stored report row."""
    row = await h.db.fetchone("SELECT * FROM reports WHERE id = ?", (number,))
    assert row is not None
    return dict(row)


async def events_of(h: Harness, number: int) -> list[tuple[str, str, int, str]]:
    """(action, to_status, level, actor) of every step of a report."""
    rows = await h.db.fetchall(
        "SELECT action, to_status, level, actor FROM case_events "
        "WHERE kind = 'report' AND case_id = ? ORDER BY id",
        (number,),
    )
    return [tuple(r) for r in rows]
