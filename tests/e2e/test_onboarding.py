"""Staff onboarding through invitations: /start with a token, /invite in chat."""

from __future__ import annotations

from datetime import timedelta

from services.onboarding import create_invitation
from tests.e2e.harness import Harness


async def _invite(h: Harness, code: str) -> str:
    made = await create_invitation(h.db, h.clock, h.rt.config.invitations.valid_for, code, by=None)
    return made.token


async def _linked_to(h: Harness, code: str) -> int | None:
    return await h.db.scalar("SELECT tg_user_id FROM staff WHERE code = ?", (code,))


async def test_valid_invitation_links_the_account(h: Harness) -> None:
    token = await _invite(h, "L4A")
    worker = h.user("张秀兰")
    await h.send(worker, worker, f"/start {token}")
    assert "绑定成功" in h.last_text(worker) and "张秀兰" in h.last_text(worker)
    assert await _linked_to(h, "L4A") == worker.id
    entries = await h.db.fetchall("SELECT action FROM audit_log WHERE entity_id = 'L4A'")
    assert [e["action"] for e in entries] == ["invitation.create", "staff.link"]


async def test_a_used_token_is_refused_for_someone_else(h: Harness) -> None:
    token = await _invite(h, "L4A")
    worker, other = h.user("张秀兰"), h.user("冒名者")
    await h.send(worker, worker, f"/start {token}")
    await h.send(other, other, f"/start {token}")
    assert "已经用过" in h.last_text(other)
    assert await _linked_to(h, "L4A") == worker.id
    await h.send(worker, worker, f"/start {token}")
    assert "无需再次绑定" in h.last_text(worker)


async def test_an_expired_token_is_refused(h: Harness) -> None:
    token = await _invite(h, "L4A")
    h.clock.advance(timedelta(days=7, seconds=1))
    worker = h.user("张秀兰")
    await h.send(worker, worker, f"/start {token}")
    assert "过期" in h.last_text(worker)
    assert await _linked_to(h, "L4A") is None


async def test_a_foreign_or_forged_token_is_refused(h: Harness) -> None:
    worker = h.user("张秀兰")
    await h.send(worker, worker, "/start invNOTAREALTOKEN123")
    assert "无效" in h.last_text(worker)
    assert await h.db.scalar("SELECT COUNT(*) FROM staff WHERE tg_user_id IS NOT NULL") == 0


async def test_one_account_cannot_take_two_staff_records(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    token = await _invite(h, "L4B")
    await h.send(worker, worker, f"/start {token}")
    assert "不能再绑定" in h.last_text(worker)
    assert await _linked_to(h, "L4B") is None


async def test_plain_start_welcomes_residents_and_staff(h: Harness) -> None:
    resident = h.user("王秀英")
    await h.send(resident, resident, "/start")
    assert "网格助手" in h.last_text(resident)
    assert (
        await h.db.scalar("SELECT started_bot FROM people WHERE tg_user_id = ?", (resident.id,))
        == 1
    )
    cadre = await h.staff("C1", "刘建国")
    await h.send(cadre, cadre, "/start")
    assert "镇干部" in h.last_text(cadre)


async def test_cadre_invites_staff_of_their_subtree_and_the_link_works(h: Harness) -> None:
    cadre = await h.staff("V1C", "周红梅")
    await h.send(cadre, cadre, "/invite L4A")
    text = h.last_text(cadre)
    assert "张秀兰" in text and "https://t.me/gridbot_demo_bot?start=inv" in text
    token = text.split("?start=")[1].split()[0]
    worker = h.user("张秀兰")
    await h.send(worker, worker, f"/start {token}")
    assert await _linked_to(h, "L4A") == worker.id
    inviter = await h.db.scalar(
        "SELECT s.code FROM invitations i JOIN staff s ON s.id = i.created_by WHERE i.token = ?",
        (token,),
    )
    assert inviter == "V1C"


async def test_cadre_cannot_invite_outside_their_subtree(h: Harness) -> None:
    cadre = await h.staff("V1C", "周红梅")
    await h.send(cadre, cadre, "/invite L4D")
    assert "不在您管辖的范围内" in h.last_text(cadre)
    await h.send(cadre, cadre, "/invite NOBODY")
    assert "没有编码为 NOBODY" in h.last_text(cadre)
    await h.send(cadre, cadre, "/invite")
    assert "用法" in h.last_text(cadre)
    assert await h.db.scalar("SELECT COUNT(*) FROM invitations") == 1  # only h.staff's own


async def test_town_cadre_invites_anyone(h: Harness) -> None:
    cadre = await h.staff("C1", "刘建国")
    await h.send(cadre, cadre, "/invite L4D")
    assert "?start=inv" in h.last_text(cadre)


async def test_invite_is_refused_to_workers_and_residents(h: Harness) -> None:
    for who in (await h.staff("L4A"), await h.staff("L3A"), h.user("王秀英")):
        await h.send(who, who, "/invite L4B")
        assert "没有权限" in h.last_text(who), who.first_name
    assert (
        await h.db.scalar(
            "SELECT COUNT(*) FROM invitations WHERE staff_id = "
            "(SELECT id FROM staff WHERE code = 'L4B')"
        )
        == 0
    )


async def test_invite_in_a_group_is_not_answered_with_a_link(h: Harness) -> None:
    cadre = await h.staff("C1", "刘建国")
    chat = await h.group("某群", [h.user("王秀英"), cadre])
    await h.send(cadre, chat, "/invite L4A")
    assert all("start=inv" not in t for t in h.bot_texts(chat))
    assert "私聊" in h.last_text(chat)
