"""Odd input gets a clear refusal, never a traceback; nothing about a target leaks first."""

from __future__ import annotations

import logging
import re

import pytest
from telegram.ext import CallbackQueryHandler, ConversationHandler

from sandbox.state import User
from tests.e2e.flowsteps import link_household
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ACCEPT, RESOLVE, file_report, note, press_on, status_of

# Every prefix the bot's buttons use (handlers/*: PREFIX, *_PREFIX).
PREFIXES = (
    "r",
    "rc",
    "bd",
    "ex",
    "dg",
    "as",
    "an",
    "fc",
    "sv",
    "pf",
    "pv",
    "pl",
    "hh",
    "hj",
    "hl",
    "rm",
    "rs",
    "rw",
    "spv",
    "spw",
    "spp",
    "urg",
    "ob",
    "sq",
)
GARBAGE = (
    "",
    "abc",
    "abc:w",
    "²:w",
    "١٢:w",
    "99999999999999999999:w",
    "99999999999999999999:99999999999999999999",
    "-1:-1",
    "1:2:3:4:5:6:7",
    "acc:²",
    "acc:99999999999999999999",
    "cfm:abc",
    "s:zz",
    "p:1:²",
    "h:1:99999999999999999999",
    "d:1:20261399",
    "t:1:20260610:2599",
    "at:²",
    "who:nobody",
    "e:../../etc",
    "x:²:²",
)


def errors_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Messages the bot's error handler logged (an unhandled exception each)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "handlers.errors" and r.levelno >= logging.ERROR
    ]


@pytest.mark.parametrize(
    "argument",
    ["²", "١٢", "１２", "99999999999999999999", "#99999999999999999999", "-3", "3.0", "0x10"],
)
async def test_odd_status_numbers_get_the_usage(
    h: Harness, caplog: pytest.LogCaptureFixture, argument: str
) -> None:
    person = h.user("王秀英")
    with caplog.at_level(logging.ERROR):
        await h.send(person, person, f"/status {argument}")
    assert errors_of(caplog) == []
    assert "用法" in h.last_text(person)


async def test_malformed_callback_data_of_every_prefix_is_a_stale_button(
    h: Harness, town, caplog: pytest.LogCaptureFixture
) -> None:
    worker, resident, chat = town
    cadre = await h.staff("C1", "刘建国")
    number = await file_report(h, resident, chat)
    await h.send(cadre, cadre, "/help")
    await h.send(resident, resident, "/help")
    with caplog.at_level(logging.ERROR):
        for who, where in ((cadre, cadre), (resident, resident), (resident, chat), (worker, chat)):
            target = h.last(where)["message_id"]
            for prefix in PREFIXES:
                for tail in GARBAGE:
                    data = f"{prefix}:{tail}" if tail else prefix
                    press = await h.settle(h.sb.forge_press(who, where, target, data))
                    answer = h.answer(press)
                    assert answer is not None, data
    assert errors_of(caplog) == []
    row = await status_of(h, number)
    assert row["status"] == "new" and row["owner_staff_id"] is None


async def test_a_forged_confirm_reveals_nothing_about_another_report(h: Harness, town) -> None:
    worker, resident, chat = town
    stranger = h.user("李德福")
    await h.settle(h.sb.join(stranger, chat))
    number = await file_report(h, resident, chat)
    await press_on(h, worker, number, ACCEPT)
    await h.send(stranger, chat, "/card")
    target = h.last(chat)["message_id"]
    for data in (f"r:cfm:{number}", f"r:reo:{number}", f"r:acc:{number}", f"r:cfm:{number + 50}"):
        press = await h.settle(h.sb.forge_press(stranger, chat, target, data))
        answer = h.answer(press)
        assert answer is not None and answer["show_alert"] is True, data
        assert "不能处理" in answer["text"], answer
        assert "处理中" not in answer["text"] and "新进展" not in answer["text"], answer
    # Staff of another village learn nothing either.
    outsider = await h.staff("L4D", "赵磊")
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "修好了")
    await h.send(outsider, outsider, "/help")
    mine = h.last(outsider)["message_id"]
    for data in (f"r:acc:{number}", f"r:esc:{number}", f"r:cfm:{number}"):
        press = await h.settle(h.sb.forge_press(outsider, outsider, mine, data))
        answer = h.answer(press)
        assert answer is not None and "不能处理" in answer["text"], (data, answer)
        assert "已解决" not in answer["text"], answer
    assert (await status_of(h, number))["status"] == "resolved"


async def _private_report(h: Harness, resident: User, text: str) -> int:
    await link_household(h, resident, "M1-H1")
    return await file_report(h, resident, resident, text=text)


async def test_my_and_status_in_a_group_never_show_private_reports(h: Harness, town) -> None:
    worker, resident, chat = town
    secret = await _private_report(h, resident, "邻居家暴，请私下处理")
    public = await file_report(h, resident, chat, text="路灯坏了")
    await h.send(resident, chat, "/my")
    shown = h.last_text(chat)
    assert f"#{public}" in shown and "路灯坏了" in shown
    assert f"#{secret}" not in shown and "家暴" not in shown
    assert "私聊" in shown  # a pointer to the full list in private
    await h.send(resident, chat, f"/status {secret}")
    assert "家暴" not in h.last_text(chat) and "私聊" in h.last_text(chat)
    await h.send(worker, chat, f"/status {secret}")
    assert "家暴" not in h.last_text(chat) and "私聊" in h.last_text(chat)
    await h.send(worker, chat, f"/status {public}")
    assert "路灯坏了" in h.last_text(chat)
    assert "13800" not in h.last_text(chat)  # the household's phone stays out of the group
    # In private both are there.
    await h.send(resident, resident, "/my")
    assert f"#{secret}" in h.last_text(resident) and f"#{public}" in h.last_text(resident)
    await h.send(resident, resident, f"/status {secret}")
    assert "家暴" in h.last_text(resident)


async def test_my_in_a_group_lists_only_that_groups_reports(h: Harness, town) -> None:
    _, resident, chat = town
    other_worker = await h.staff("L4B", "王芳")
    other = await h.group(
        "渣塘冲组联系群", [resident, other_worker], bind_code="M2", by=other_worker
    )
    here = await file_report(h, resident, chat, text="路灯坏了")
    there = await file_report(h, resident, other, text="水管漏水")
    await h.send(resident, other, "/my")
    assert f"#{there}" in h.last_text(other) and f"#{here}" not in h.last_text(other)
    await h.send(resident, other, f"/status {here}")
    assert "路灯" not in h.last_text(other)


async def test_a_forged_consultation_button_files_nothing(h: Harness, town) -> None:
    _, resident, chat = town
    await h.send(resident, chat, "/card 请把我家的电话公开")
    answer_to_me = h.last(chat)
    before = await h.db.scalar("SELECT COUNT(*) FROM reports")
    press = await h.settle(h.sb.forge_press(resident, chat, answer_to_me["message_id"], "pl:q"))
    assert h.answer(press) is not None and h.answer(press)["show_alert"] is True
    assert await h.db.scalar("SELECT COUNT(*) FROM reports") == before


async def test_presses_on_messages_that_cannot_change_are_no_errors(
    h: Harness, town, caplog: pytest.LogCaptureFixture
) -> None:
    worker, resident, chat = town
    await h.send(worker, worker, "/visit")
    picker = h.last(worker)
    cancel = next(data for label, data in buttons(picker).items() if "取消" in label)
    with caplog.at_level(logging.ERROR):
        await h.press(worker, picker, cancel)
        assert "已取消" in (h.sb.message(worker, picker["message_id"]) or {}).get("text", "")
        # The same press again (a forged copy): the message already says so.
        again = await h.settle(h.sb.forge_press(worker, worker, picker["message_id"], cancel))
        # A category button pressed on a photo (no text to edit) still files the report.
        await h.settle(h.sb.send_photo(resident, chat, caption="/report 路灯坏了"))
        ask = h.last(chat)
        photo = h.sb.send_photo(resident, chat)
        pressed = await h.settle(
            h.sb.forge_press(resident, chat, photo.message_id, buttons(ask)["民生基础设施建设"])
        )
    assert errors_of(caplog) == []
    assert h.answer(again) is not None and h.answer(pressed) is not None
    assert "已登记问题" in h.last_text(chat)


def _button_patterns(handlers: list[object]) -> list[str]:
    found: list[str] = []
    for handler in handlers:
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
            pattern = handler.pattern
            found.append(pattern if isinstance(pattern, str) else pattern.pattern)
        if isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *handler.fallbacks]
            for state in handler.states.values():
                inner += state
            found += _button_patterns(inner)
    return found


async def test_every_button_prefix_is_covered_here(h: Harness) -> None:
    assert h.app is not None
    patterns = _button_patterns([x for group in h.app.handlers.values() for x in group])
    assert patterns
    for raw in patterns:
        match = re.match(r"\^\(?([a-z|]+)\)?:", raw)
        assert match is not None, raw
        assert set(match.group(1).split("|")) <= set(PREFIXES), raw


async def test_commands_with_the_longest_arguments(
    h: Harness, town, caplog: pytest.LogCaptureFixture
) -> None:
    worker, resident, chat = town
    cadre = await h.staff("C1", "刘建国")
    await h.settle(h.sb.join(cadre, chat))
    with caplog.at_level(logging.ERROR):
        for name in ("bind", "invite", "start", "status", "policy", "report", "join", "card"):
            command = f"/{name} "
            argument = ("编码" * 3000)[: 4096 - len(command)]
            for who in (cadre, worker, resident):
                for where in (chat, who):
                    await h.send(who, where, command + argument)
                    await h.send(who, where, "/cancel")
    assert errors_of(caplog) == []
