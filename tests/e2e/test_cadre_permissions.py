"""Who may use each cadre command: every command × every role (resident, L4, L3, L2, L1)."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.harness import buttons

DENIED = "没有权限"
# command → roles allowed, and a piece of the answer when allowed.
EXPECTED = {
    "/digest": ({"L3A", "V1C", "C1"}, "工作周报"),
    "/board": ({"L4A", "L3A", "V1C", "C1"}, ""),
    "/assess": ({"V1C", "C1"}, "网格员考核"),
    "/announce": ({"V1C", "C1"}, "发布通知"),
    "/export": ({"C1"}, "导出全镇数据"),
}


async def test_every_cadre_command_for_every_role(h):
    people = {"resident": h.user("王秀英")}
    for code in ("L4A", "L3A", "V1C", "C1"):
        people[code] = await h.staff(code)
    for command, (allowed, answer) in EXPECTED.items():
        for role, user in people.items():
            await h.send(user, user, command)
            texts = h.bot_texts(user)
            reply = "\n".join(texts[-3:])
            if role in allowed:
                assert DENIED not in texts[-1], (command, role, texts[-1])
                assert answer in reply, (command, role, reply)
            elif command == "/board":
                assert "联系群中使用 /board" in texts[-1], (command, role)
            else:
                assert DENIED in texts[-1], (command, role, texts[-1])


async def test_buttons_check_permissions_again(h):
    """A button press from someone who may not (a forwarded or stale keyboard) is refused."""
    cadre = await h.staff("V1C")
    grid_worker = await h.staff("L3A")
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    data = next(v for k, v in buttons(picker).items() if k.startswith("✅"))
    # The grid worker presses the same button in their own chat (same callback data).
    await h.send(grid_worker, grid_worker, "/help")
    message = h.last(grid_worker)
    h.sb.world.chats[grid_worker.id].messages[message["message_id"]].data["reply_markup"] = {
        "inline_keyboard": [[{"text": "x", "callback_data": data}]]
    }
    pressed = await h.press(grid_worker, h.sb.message(grid_worker, message["message_id"]), data)
    assert DENIED in h.answer(pressed)["text"]
    for forged in ("ex:x", "as:1:l"):
        h.sb.world.chats[grid_worker.id].messages[message["message_id"]].data["reply_markup"] = {
            "inline_keyboard": [[{"text": "x", "callback_data": forged}]]
        }
        pressed = await h.press(
            grid_worker, h.sb.message(grid_worker, message["message_id"]), forged
        )
        assert DENIED in h.answer(pressed)["text"]
    h.clock.advance(timedelta(seconds=1))
