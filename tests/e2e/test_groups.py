"""The bot in groups: added/removed, /bind, the contact card, supergroup upgrades, menus."""

from __future__ import annotations

from tests.e2e.harness import Harness


async def _group_row(h: Harness, chat_id: int):
    return await h.db.fetchone(
        "SELECT g.active, u.code AS unit, g.card_message_id FROM groups g "
        "LEFT JOIN units u ON u.id = g.micro_grid_id WHERE g.chat_id = ?",
        (chat_id,),
    )


async def test_added_to_a_group_the_bot_explains_binding(h: Harness) -> None:
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident])
    assert "还没有绑定" in h.last_text(chat) and "/bind" in h.last_text(chat)
    row = await _group_row(h, chat.id)
    assert row["active"] == 1 and row["unit"] is None


async def test_worker_binds_their_micro_grid_card_posted_and_pinned(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    chat = await h.group("益家冲组联系群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    texts = h.bot_texts(chat)
    assert "已绑定到微网格 益家冲组（M1）" in texts[-2]
    card = h.last(chat)
    assert "网格联系卡" in card["text"] and "张秀兰 13900000007" in card["text"]
    assert "李明 13900000004" in card["text"] and "周红梅 13900000002" in card["text"]
    assert h.sb.message(chat, card["message_id"]) is not None
    pins = [c for c in h.sb.calls_to("pinChatMessage") if c.ok]
    assert pins and pins[-1].params["message_id"] == card["message_id"]
    row = await _group_row(h, chat.id)
    assert row["unit"] == "M1" and row["card_message_id"] == card["message_id"]


async def test_card_pin_failure_is_explained(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    chat = h.sb.add_group(
        "不许置顶的群", members=[h.user("王秀英"), worker], bot_status="left", members_can_pin=False
    )
    await h.settle(h.sb.add_bot_to_group(worker, chat))
    await h.send(worker, chat, "/bind M1")
    assert "未能置顶" in h.last_text(chat)
    assert "网格联系卡" in h.bot_texts(chat)[-2]


async def test_binding_is_refused_to_residents_and_outsiders(h: Harness) -> None:
    resident = h.user("王秀英")
    other_worker = await h.staff("L4D", "赵磊")
    grid_worker = await h.staff("L3C", "黄伟")
    chat = await h.group("益家冲组联系群", [resident, other_worker, grid_worker])
    await h.send(resident, chat, "/bind M1")
    assert "只有已绑定账号的网格员或干部" in h.last_text(chat)
    await h.send(other_worker, chat, "/bind M1")
    assert "不在您管辖的范围内" in h.last_text(chat)
    await h.send(grid_worker, chat, "/bind M1")
    assert "不在您管辖的范围内" in h.last_text(chat)
    assert (await _group_row(h, chat.id))["unit"] is None


async def test_bind_input_errors(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    chat = await h.group("群", [h.user("王秀英"), worker])
    await h.send(worker, chat, "/bind")
    assert "用法" in h.last_text(chat)
    await h.send(worker, chat, "/bind NOPE")
    assert "找不到编码为 NOPE" in h.last_text(chat)
    await h.send(worker, chat, "/bind G1")
    assert "不是微网格" in h.last_text(chat)
    await h.send(worker, chat, "/bind M1")
    await h.send(worker, chat, "/bind M1")
    assert "已经绑定到 益家冲组" in h.last_text(chat)
    binds = await h.db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'group.bind'")
    assert binds == 1


async def test_grid_worker_village_and_town_cadres_bind_within_their_subtree(h: Harness) -> None:
    resident = h.user("王秀英")
    for code, unit in (("L3A", "M2"), ("V1C", "M3"), ("C1", "M4")):
        staff = await h.staff(code)
        chat = await h.group(f"{unit}群", [resident, staff], bind_code=unit, by=staff)
        assert (await _group_row(h, chat.id))["unit"] == unit, code


async def test_rebinding_moves_the_micro_grid_and_tells_the_old_group(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    old = await h.group("旧群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    new = await h.group("新群", [h.user("李德福"), worker], bind_code="M1", by=worker)
    assert "改绑到另一个群" in h.last_text(old)
    assert (await _group_row(h, old.id))["unit"] is None
    assert (await _group_row(h, new.id))["unit"] == "M1"
    resident = h.user("王秀英")
    await h.send(resident, old, "/card")
    assert "还没有绑定" in h.last_text(old)


async def test_card_in_bound_and_unbound_groups(h: Harness) -> None:
    worker = await h.staff("L4B", "王芳")
    resident = h.user("王秀英")
    chat = await h.group("渣塘冲组群", [resident, worker], bind_code="M2", by=worker)
    await h.send(resident, chat, "/card")
    text = h.last_text(chat)
    assert "渣塘冲组" in text and "王芳 13900000008" in text
    assert "李明 13900000004；陈静 13900000005" in text
    unbound = await h.group("别的群", [resident])
    await h.send(resident, unbound, "/card")
    assert "还没有绑定" in h.last_text(unbound)
    await h.send(resident, resident, "/card")
    assert "联系群中使用" in h.last_text(resident)


async def test_removed_bot_marks_the_group_inactive(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await h.settle(h.sb.remove_bot_from_group(resident, chat))
    assert (await _group_row(h, chat.id))["active"] == 0
    actions = [
        r["action"]
        for r in await h.db.fetchall(
            "SELECT action FROM audit_log WHERE entity = 'group' ORDER BY id"
        )
    ]
    assert actions[-1] == "group.removed"
    await h.settle(h.sb.add_bot_to_group(resident, chat))
    assert (await _group_row(h, chat.id))["active"] == 1
    assert "又回来了" in h.last_text(chat)


async def test_supergroup_upgrade_keeps_the_binding(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    old_id = chat.id
    new_id = h.sb.migrate_to_supergroup(chat)
    await h.settle_all()
    await h.send(resident, new_id, "/card")
    assert "益家冲组" in h.last_text(new_id)
    assert await _group_row(h, old_id) is None
    assert (await _group_row(h, new_id))["unit"] == "M1"


async def test_help_differs_per_role(h: Harness) -> None:
    resident = h.user("王秀英")
    await h.send(resident, resident, "/help")
    private_help = h.last_text(resident)
    texts = {}
    for code in ("L4A", "L3A", "V1C", "C1"):
        staff = await h.staff(code)
        await h.send(staff, staff, "/help")
        texts[code] = h.last_text(staff)
    assert "四级网格员" in texts["L4A"] and "三级网格员" in texts["L3A"]
    assert "/invite" in texts["V1C"] and "/invite" in texts["C1"]
    assert "/invite" not in texts["L4A"] and "/invite" not in private_help
    assert len({private_help, *texts.values()}) == 5
    worker = await h.staff("L4B", "王芳")
    chat = await h.group("群", [resident, worker])
    await h.send(resident, chat, "/help")
    resident_group = h.last_text(chat)
    await h.send(worker, chat, "/help")
    assert "/bind" in h.last_text(chat) and "/bind" not in resident_group


async def test_english_speakers_get_english_in_private(h: Harness) -> None:
    visitor = h.user("Alice", language_code="en")
    await h.send(visitor, visitor, "/help")
    assert "What" in h.last_text(visitor) or "Hello" in h.last_text(visitor)


async def test_command_menus_are_registered_per_scope_and_language(h: Harness) -> None:
    private_zh = {c["command"]: c["description"] for c in h.sb.commands("all_private_chats", "zh")}
    group_en = {c["command"]: c["description"] for c in h.sb.commands("all_group_chats", "en")}
    group_default = {c["command"] for c in h.sb.commands("all_group_chats", None)}
    assert private_zh["invite"] == "生成人员邀请链接" and "bind" not in private_zh
    assert group_en["bind"] == "Bind this group to a micro-grid" and "invite" not in group_en
    assert {"report", "card", "help"} <= group_default
