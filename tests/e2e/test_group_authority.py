"""Who may move a group between micro-grids; a group's records follow a supergroup upgrade."""

from __future__ import annotations

from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import (
    ACCEPT,
    CONFIRM,
    RESOLVE,
    file_report,
    note,
    press_on,
    status_of,
)


async def _bound_to(h: Harness, chat_id: int) -> str | None:
    row = await h.db.fetchone(
        "SELECT u.code FROM groups g LEFT JOIN units u ON u.id = g.micro_grid_id "
        "WHERE g.chat_id = ?",
        (chat_id,),
    )
    return None if row is None else row[0]


async def test_a_worker_of_another_village_cannot_take_a_bound_group(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")  # M1, village V1
    outsider = await h.staff("L4D", "赵磊")  # M4, village V2
    chat = await h.group("益家冲组联系群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    await h.settle(h.sb.join(outsider, chat))
    await h.send(outsider, chat, "/bind M4")
    assert "益家冲组" in h.last_text(chat) and "不能" in h.last_text(chat)
    assert await _bound_to(h, chat.id) == "M1"
    # The village cadre of V2 is just as much an outsider to M1.
    v2 = await h.staff("V2C", "胡志强")
    await h.settle(h.sb.join(v2, chat))
    await h.send(v2, chat, "/bind M4")
    assert await _bound_to(h, chat.id) == "M1"
    binds = await h.db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'group.bind'")
    assert binds == 1
    # An unbound group is theirs to bind.
    own = await h.group("石门组群", [h.user("李德福"), outsider], bind_code="M4", by=outsider)
    assert await _bound_to(h, own.id) == "M4"


async def test_staff_over_both_micro_grids_may_move_a_group(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    cadre = await h.staff("V1C", "周红梅")  # village V1 holds M1 and M2
    chat = await h.group("联系群", [h.user("王秀英"), worker, cadre], bind_code="M1", by=worker)
    await h.send(cadre, chat, "/bind M2")
    assert await _bound_to(h, chat.id) == "M2"
    # A worker of M2 only cannot take the group back from M2 to M1 … nor L4A from M2.
    await h.send(worker, chat, "/bind M1")
    assert await _bound_to(h, chat.id) == "M2"


async def test_after_a_supergroup_upgrade_the_resident_is_told_and_can_confirm(
    h: Harness, town
) -> None:
    worker, resident, chat = town
    number = await file_report(h, resident, chat)
    await h.send(resident, chat, "/join")
    picker = h.last(chat)
    await h.press(resident, picker, next(d for d in buttons(picker).values() if ":h:" in d))
    pending_join = await h.db.scalar(
        "SELECT COUNT(*) FROM household_link_requests WHERE chat_id = ?", (chat.id,)
    )
    assert pending_join == 1
    old_id = chat.id
    new_id = h.sb.migrate_to_supergroup(chat)
    await h.settle_all()
    row = await status_of(h, number)
    assert row["source_chat_id"] == new_id
    assert (
        await h.db.scalar(
            "SELECT COUNT(*) FROM household_link_requests WHERE chat_id = ?", (new_id,)
        )
        == 1
    )
    await press_on(h, worker, number, ACCEPT)
    assert f"#{number}" in h.last_text(new_id) and "受理" in h.last_text(new_id)
    await press_on(h, worker, number, RESOLVE)
    await note(h, worker, "修好了")
    told = h.last(new_id)
    assert f"#{number}" in (told.get("text") or "") and CONFIRM in buttons(told)
    press = await h.press(resident, told, buttons(told)[CONFIRM])
    assert h.answer(press) is not None
    assert (await status_of(h, number))["status"] == "closed"
    # Nothing is left under the old id.
    for table, column in (
        ("reports", "source_chat_id"),
        ("report_drafts", "chat_id"),
        ("groups", "chat_id"),
        ("group_members", "chat_id"),
        ("household_link_requests", "chat_id"),
    ):
        left = await h.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (old_id,))
        assert left == 0, table


async def test_a_report_being_filed_during_the_upgrade_finishes_in_the_supergroup(
    h: Harness, town
) -> None:
    _, resident, chat = town
    await h.send(resident, chat, "/report 路灯坏了")
    ask = h.last(chat)
    new_id = h.sb.migrate_to_supergroup(chat)
    await h.settle_all()
    # The category question stayed behind in the old group; its button still works.
    await h.settle(h.sb.press(resident, ask, next(iter(buttons(ask).values()))))
    number = await h.db.scalar("SELECT MAX(id) FROM reports")
    assert number is not None
    assert (await status_of(h, int(number)))["source_chat_id"] == new_id


async def test_a_description_asked_before_the_upgrade_is_asked_again_in_the_supergroup(
    h: Harness, town
) -> None:
    _, resident, chat = town
    await h.send(resident, chat, "/report")
    ask = h.last(chat)
    await h.press(resident, ask, next(iter(buttons(ask).values())))
    assert "请回复本消息" in h.last_text(chat)
    new_id = h.sb.migrate_to_supergroup(chat)
    await h.settle_all()
    again = h.last(new_id)
    assert "请回复本消息" in again["text"]
    await h.send(resident, new_id, "路灯坏了", reply_to=again["message_id"])
    number = await h.db.scalar("SELECT MAX(id) FROM reports")
    assert number is not None and f"#{number}" in h.last_text(new_id)
    row = await status_of(h, int(number))
    assert row["source_chat_id"] == new_id and row["source_message_id"] < 0
