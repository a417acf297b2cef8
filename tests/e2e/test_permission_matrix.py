"""Every command of the foundation and the report loop, tried by every role."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness
from tests.e2e.reporting import file_report

ROLES = {"resident": None, "l4": "L4A", "l3": "L3A", "l2": "V1C", "l1": "C1"}
DENIED = "没有权限"


async def _person(h: Harness, role: str):
    code = ROLES[role]
    return h.user("居民甲") if code is None else await h.staff(code, f"{role}-{code}")


@pytest.mark.parametrize("role", ROLES)
async def test_private_commands(h: Harness, role: str) -> None:
    person = await _person(h, role)
    expectations = {
        "/start": "您好",
        "/help": "/help",
        "/my": "还没有反映过问题",
        "/status 1": "找不到问题 #1",
        "/tasks": DENIED if role == "resident" else "暂无待办问题",
        "/invite L4A": "?start=inv" if role in ("l2", "l1") else DENIED,
        "/card": "联系群中使用",
        "/bind M1": "联系群中使用",
    }
    for command, expected in expectations.items():
        before = len(h.bot_texts(person))
        await h.send(person, person, command)
        replies = "\n".join(h.bot_texts(person)[before:])
        assert expected in replies, (role, command, replies)


@pytest.mark.parametrize("role", ROLES)
async def test_group_commands(h: Harness, role: str) -> None:
    person = await _person(h, role)
    resident = h.user("群主")
    chat = await h.group("益家冲组联系群", [resident, person])
    await h.send(person, chat, "/bind M1")
    bound = await h.db.scalar("SELECT micro_grid_id FROM groups WHERE chat_id = ?", (chat.id,))
    assert (bound is not None) == (role != "resident"), role
    if bound is None:
        cadre = await h.staff("C1", "镇干部")
        await h.settle(h.sb.join(cadre, chat))
        await h.send(cadre, chat, "/bind M1")
    for command, expected in {
        "/card": "网格联系卡",
        "/help": "/card",
        "/my": "还没有反映过问题",
        "/tasks": "私聊",
        "/invite L4A": "私聊",
    }.items():
        await h.send(person, chat, command)
        assert expected in h.last_text(chat), (role, command)
    number = await file_report(h, person, chat, f"{role} 反映的问题")
    await h.send(person, chat, f"/status {number}")
    assert f"{role} 反映的问题" in h.last_text(chat)


@pytest.mark.parametrize(
    ("code", "sees"),
    [
        ("L4A", True),
        ("L3A", True),
        ("L3B", True),
        ("V1C", True),
        ("C1", True),
        ("L4B", False),
        ("L4D", False),
        ("L3C", False),
        ("V2C", False),
        (None, False),
    ],
)
async def test_who_may_see_a_report(h: Harness, code: str | None, sees: bool) -> None:
    worker = await h.staff("L4A", "张秀兰")
    reporter = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [reporter, worker], bind_code="M1", by=worker)
    number = await file_report(h, reporter, chat, "看得见吗")
    viewer = (
        worker
        if code == "L4A"
        else (h.user("别的居民") if code is None else await h.staff(code, f"viewer-{code}"))
    )
    await h.send(viewer, viewer, f"/status {number}")
    assert ("看得见吗" in h.last_text(viewer)) is sees, code
