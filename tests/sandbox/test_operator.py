"""What an operator's preflight asks Telegram: privacy, webhook, the bot's place in groups."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest, Forbidden

from sandbox import Sandbox


@pytest.fixture
def owner(sb: Sandbox) -> telegram.User:
    person = sb.add_user("张秀兰", language_code="zh")
    sb.start_bot(person)
    return person


async def test_privacy_mode_is_reported_by_get_me(sb: Sandbox, bot: telegram.Bot) -> None:
    assert (await bot.get_me()).can_read_all_group_messages is False
    sb.set_privacy_mode(False)
    assert (await bot.get_me()).can_read_all_group_messages is True
    sb.set_privacy_mode(True)
    assert (await bot.get_me()).can_read_all_group_messages is False


async def test_privacy_off_delivers_every_group_message(sb: Sandbox, owner) -> None:
    group = sb.add_group("村群", members=[owner])
    assert sb.send_text(owner, group, "闲聊").update_id is None
    sb.set_privacy_mode(False)
    assert sb.send_text(owner, group, "闲聊").update_id is not None


async def test_webhook_info_follows_set_and_delete(sb: Sandbox, bot: telegram.Bot) -> None:
    assert (await bot.get_webhook_info()).url == ""
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_bot_member_object_carries_its_pin_right(
    sb: Sandbox, bot: telegram.Bot, owner
) -> None:
    group = sb.add_group("管理群", members=[owner], members_can_pin=False)
    sb.promote_bot(owner, group)
    member = await bot.get_chat_member(group.id, sb.bot.id)
    assert member.status == "administrator"
    assert isinstance(member, telegram.ChatMemberAdministrator)
    assert member.can_pin_messages is True
    sb.withdraw_pin_right(group)
    member = await bot.get_chat_member(group.id, sb.bot.id)
    assert isinstance(member, telegram.ChatMemberAdministrator)
    assert member.can_pin_messages is False
    sent = await bot.send_message(group.id, "名片")
    with pytest.raises(BadRequest, match="Not enough rights"):
        await bot.pin_chat_message(group.id, sent.message_id)
    sb.grant_pin_right(group)
    assert await bot.pin_chat_message(group.id, sent.message_id)


async def test_plain_member_pins_by_the_group_permissions(
    sb: Sandbox, bot: telegram.Bot, owner
) -> None:
    group = sb.add_group("普通群", members=[owner])
    chat = await bot.get_chat(group.id)
    assert chat.permissions is not None and chat.permissions.can_pin_messages is True
    sb.withdraw_pin_right(group)
    chat = await bot.get_chat(group.id)
    assert chat.permissions is not None and chat.permissions.can_pin_messages is False
    assert (await bot.get_chat_member(group.id, sb.bot.id)).status == "member"
    sent = await bot.send_message(group.id, "名片")
    with pytest.raises(BadRequest, match="Not enough rights"):
        await bot.pin_chat_message(group.id, sent.message_id)


async def test_removed_bot_sees_its_status(sb: Sandbox, bot: telegram.Bot, owner) -> None:
    basic = sb.add_group("小群", members=[owner])
    sb.remove_bot_from_group(owner, basic)
    assert (await bot.get_chat_member(basic.id, sb.bot.id)).status == "kicked"
    large = sb.add_group("大群", members=[owner], supergroup=True)
    sb.remove_bot_from_group(owner, large)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.get_chat_member(large.id, sb.bot.id)


async def test_control_api_switches(sb: Sandbox, bot: telegram.Bot, http) -> None:
    async def post(name: str, **body: object) -> dict:
        async with http.post(f"{sb.url}/sandbox/{name}", json=body) as response:
            return await response.json()

    owner = sb.add_user("群主")
    group = sb.add_group("远程群", members=[owner])
    assert (await post("privacy", enabled=False))["ok"]
    assert (await bot.get_me()).can_read_all_group_messages is True
    assert (await post("pin_right", chat_id=group.id, allowed=False))["ok"]
    assert (await bot.get_chat(group.id)).permissions.can_pin_messages is False
    removed = await post("remove_bot", chat_id=group.id, user_id=owner.id)
    assert removed["ok"] and group.bot_status == "kicked"
    assert (await post("pin_right", chat_id=12345, allowed=True))["ok"] is False
