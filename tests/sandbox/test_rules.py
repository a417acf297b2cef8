"""Telegram's rules as seen by a real PTB bot talking to the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import Defaults, ExtBot

from sandbox import Sandbox
from sandbox.web.views import message_json
from tests.sandbox.conftest import TOKEN

PARSE = "Bad Request: can't parse entities: "


@contextmanager
def rejected(sb: Sandbox, kind: type[Exception], reason: str) -> Iterator[None]:
    """Expect a PTB error whose sandbox answer has exactly this description."""
    before = len(sb.errors())
    with pytest.raises(kind):
        yield
    errors = sb.errors()
    assert len(errors) == before + 1
    assert errors[-1].description == reason


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("按钮", callback_data=data)]])


@pytest.fixture
def user(sb: Sandbox) -> telegram.User:
    person = sb.add_user("王秀英", language_code="zh")
    sb.start_bot(person)
    return person


async def test_send_message_html(sb: Sandbox, bot: telegram.Bot, user) -> None:
    sent = await bot.send_message(
        user.id,
        "<b>通知</b> 路灯 &lt;3&gt; <a href='https://x.cn'>详情</a> 😀<i>完</i>",
        parse_mode="HTML",
    )
    assert sent.text == "通知 路灯 <3> 详情 😀完"
    kinds = [(e.type, e.offset, e.length) for e in sent.entities]
    assert kinds == [("bold", 0, 2), ("text_link", 10, 2), ("italic", 15, 1)]
    assert sent.from_user.is_bot and sent.from_user.id == sb.bot.id
    assert sent.chat.first_name == "王秀英"
    assert sb.last_bot_message(user)["text"] == sent.text


async def test_broken_html(sb: Sandbox, bot: telegram.Bot, user) -> None:
    cases = [
        ("ab <foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a &amp; b & c", "Can't find end of the entity starting at byte offset 10"),
    ]
    for text, reason in cases:
        with rejected(sb, BadRequest, PARSE + reason):
            await bot.send_message(user.id, text, parse_mode="HTML")
    with rejected(sb, BadRequest, "Bad Request: message text is empty"):
        await bot.send_message(user.id, "<b> </b>", parse_mode="HTML")


async def test_text_length_limits(sb: Sandbox, bot: telegram.Bot, user) -> None:
    assert len((await bot.send_message(user.id, "长" * 4096)).text) == 4096
    with rejected(sb, BadRequest, "Bad Request: message is too long"):
        await bot.send_message(user.id, "长" * 4097)
    with rejected(sb, BadRequest, "Bad Request: message is too long"):
        await bot.send_message(user.id, "😀" * 2049)
    with rejected(sb, BadRequest, "Bad Request: message caption is too long"):
        await bot.send_photo(user.id, b"GIF89a\x01\x00\x01\x00", caption="x" * 1025)


async def test_callback_data_size(sb: Sandbox, bot: telegram.Bot, user) -> None:
    await bot.send_message(user.id, "ok", reply_markup=keyboard("x" * 64))
    await bot.send_message(user.id, "ok", reply_markup=keyboard("数" * 21))
    with rejected(sb, BadRequest, "Bad Request: BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "ok", reply_markup=keyboard("x" * 65))
    with rejected(sb, BadRequest, "Bad Request: BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "ok", reply_markup=keyboard("数" * 22))


async def test_forbidden_chats(sb: Sandbox, bot: telegram.Bot) -> None:
    stranger = sb.add_user("陌生人")
    with rejected(sb, Forbidden, "Forbidden: bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hi")
    sb.start_bot(stranger)
    sb.block_bot(stranger)
    with rejected(sb, Forbidden, "Forbidden: bot was blocked by the user"):
        await bot.send_message(stranger.id, "hi")
    sb.unblock_bot(stranger)
    await bot.send_message(stranger.id, "hi")
    with rejected(sb, BadRequest, "Bad Request: chat not found"):
        await bot.send_message(-42, "hi")
    group = sb.add_group("组", members=[stranger])
    sb.remove_bot_from_group(stranger, group)
    with rejected(sb, Forbidden, "Forbidden: bot was kicked from the group chat"):
        await bot.send_message(group.id, "hi")
    supergroup = sb.add_group("超级组", members=[stranger], supergroup=True)
    sb.remove_bot_from_group(stranger, supergroup)
    with rejected(sb, Forbidden, "Forbidden: bot was kicked from the supergroup chat"):
        await bot.send_message(supergroup.id, "hi")


async def test_migrated_group(sb: Sandbox, bot: telegram.Bot, user) -> None:
    group = sb.add_group("老群", members=[user])
    new_id = sb.migrate_to_supergroup(group)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "hi")
    assert caught.value.new_chat_id == new_id
    assert sb.errors()[-1].response["parameters"] == {"migrate_to_chat_id": new_id}
    sent = await bot.send_message(new_id, "hi")
    assert sent.chat.type == "supergroup"
    assert sb.messages(group)[-1]["migrate_to_chat_id"] == new_id
    assert sb.messages(new_id)[0]["migrate_from_chat_id"] == group.id


async def test_replies(sb: Sandbox, bot: telegram.Bot, user) -> None:
    asked = sb.send_text(user, None, "问题")
    sent = await bot.send_message(
        user.id, "回答", reply_parameters=ReplyParameters(asked.message_id)
    )
    assert sent.reply_to_message.text == "问题"
    assert sent.message_id == asked.message_id + 1
    with rejected(sb, BadRequest, "Bad Request: message to be replied not found"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(999))
    ok = await bot.send_message(
        user.id, "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert ok.reply_to_message is None


async def test_edit_rules(sb: Sandbox, bot: telegram.Bot, user) -> None:
    sent = await bot.send_message(user.id, "v1", reply_markup=keyboard("a"))
    with rejected(
        sb,
        BadRequest,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    ):
        await bot.edit_message_text("v1", user.id, sent.message_id, reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("v2", user.id, sent.message_id)
    assert edited.text == "v2" and edited.reply_markup is None
    assert sb.message(user, sent.message_id)["text"] == "v2"
    with rejected(sb, BadRequest, "Bad Request: message to edit not found"):
        await bot.edit_message_text("v3", user.id, 999)
    theirs = sb.send_text(user, None, "mine")
    with rejected(sb, BadRequest, "Bad Request: message can't be edited"):
        await bot.edit_message_text("v3", user.id, theirs.message_id)
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("b"))
    assert sb.message(user, sent.message_id)["reply_markup"]["inline_keyboard"][0][0] == {
        "text": "按钮",
        "callback_data": "b",
    }
    assert await bot.delete_message(user.id, sent.message_id)
    assert sb.message(user, sent.message_id) is None


async def test_answer_callback_query_once(sb: Sandbox, bot: telegram.Bot, user) -> None:
    sent = await bot.send_message(user.id, "选", reply_markup=keyboard("pick"))
    pressed = sb.press(user, sb.last_bot_message(user), "pick")
    assert pressed.update["callback_query"]["data"] == "pick"
    assert await bot.answer_callback_query(pressed.query_id, text="已选")
    assert sb.callback_answer(pressed.query_id) == {"text": "已选"}
    with rejected(
        sb,
        BadRequest,
        "Bad Request: " + "query is too old and response timeout expired or query ID is invalid",
    ):
        await bot.answer_callback_query(pressed.query_id)
    with rejected(
        sb,
        BadRequest,
        "Bad Request: " + "query is too old and response timeout expired or query ID is invalid",
    ):
        await bot.answer_callback_query("nope")
    with pytest.raises(ValueError):
        sb.press(user, user, sent.message_id, "other")
    stale = sb.last_bot_message(user)
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("new"))
    with pytest.raises(ValueError):
        sb.press(user, user, sent.message_id, "pick")
    late = sb.press(user, stale, "pick")
    assert late.update["callback_query"]["message"]["reply_markup"]["inline_keyboard"][0][0] == {
        "text": "按钮",
        "callback_data": "new",
    }


async def test_privacy_mode(sb: Sandbox, user) -> None:
    other = sb.add_user("李四")
    group = sb.add_group("村群", members=[user, other])
    assert sb.send_text(other, group, "今天天气好").update_id is None
    assert sb.send_text(other, group, "/report@gridbot_bot 坏了").update_id is not None
    assert sb.send_text(other, group, "/report 坏了").update_id is not None
    assert sb.send_text(other, group, "/start@otherbot").update_id is None
    bot_message = sb.world.post(group, sb.bot, {"text": "请回复"})
    reply = sb.send_text(user, group, "回复内容", reply_to=bot_message.message_id)
    assert reply["message"]["reply_to_message"]["from"]["id"] == sb.bot.id
    assert reply.update_id is not None
    assert len(sb.messages(group)) == 6
    assert sb.join(sb.add_user("新人"), group).update_id is not None
    sb.promote_bot(user, group)
    assert sb.send_text(other, group, "admins see everything").update_id is not None


async def test_pin_rights(sb: Sandbox, bot: telegram.Bot, user) -> None:
    strict = sb.add_group("严格群", members=[user], members_can_pin=False)
    sent = await bot.send_message(strict.id, "公告")
    with rejected(
        sb, BadRequest, "Bad Request: " + "not enough rights to manage pinned messages in the chat"
    ):
        await bot.pin_chat_message(strict.id, sent.message_id)
    sb.promote_bot(user, strict)
    assert await bot.pin_chat_message(strict.id, sent.message_id)
    history = sb.messages(strict)
    assert history[0]["pinned"] is True
    assert history[-1]["pinned_message"]["message_id"] == sent.message_id
    assert any("pinned_message" in u.get("message", {}) for u in sb.pending_updates())
    assert (await bot.get_chat(strict.id)).pinned_message.message_id == sent.message_id
    assert await bot.unpin_chat_message(strict.id)
    assert sb.messages(strict)[0]["pinned"] is False


async def test_commands_and_chat_queries(sb: Sandbox, bot: telegram.Bot, user) -> None:
    group = sb.add_group("命令群", members=[user])
    await bot.set_my_commands([("report", "上报"), ("help", "帮助")])
    await bot.set_my_commands(
        [("admin", "管理")], scope=telegram.BotCommandScopeChat(group.id), language_code="zh"
    )
    assert [c["command"] for c in sb.commands()] == ["report", "help"]
    assert sb.commands("chat", "zh", chat_id=group.id) == [
        {"command": "admin", "description": "管理"}
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["report", "help"]
    with rejected(sb, BadRequest, "Bad Request: BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Name", "x")])
    await bot.delete_my_commands()
    assert sb.commands() == []
    assert await bot.set_my_description("网格助手说明")
    assert (await bot.get_my_description()).description == "网格助手说明"
    member = await bot.get_chat_member(group.id, user.id)
    assert member.status == "creator"
    assert (await bot.get_chat_member(group.id, sb.bot.id)).status == "member"
    assert await bot.get_chat_member_count(group.id) == 2
    assert [a.user.id for a in await bot.get_chat_administrators(group.id)] == [user.id]
    chat = await bot.get_chat(group.id)
    assert chat.title == "命令群"
    assert await bot.leave_chat(group.id)
    with rejected(sb, Forbidden, "Forbidden: bot is not a member of the group chat"):
        await bot.send_message(group.id, "x")


async def test_media_and_files(sb: Sandbox, bot: telegram.Bot, user) -> None:
    photo = await bot.send_photo(
        user.id, b"GIF89a\x20\x00\x10\x00rest", caption="<b>图</b>", parse_mode="HTML"
    )
    assert photo.caption == "图" and photo.caption_entities[0].type == "bold"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (32, 16)
    assert sb.photo_bytes(sb.last_bot_message(user)).startswith(b"GIF89a")
    doc = await bot.send_document(user.id, b"col\n1\n", filename="t.csv")
    downloaded = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"col\n1\n"
    where = await bot.send_location(user.id, 28.2, 112.9)
    assert where.location.latitude == pytest.approx(28.2)
    assert await bot.send_chat_action(user.id, "typing")
    got = sb.send_photo(user, None, caption="/report 照片")
    assert got.update["message"]["caption_entities"][0]["type"] == "bot_command"
    again = await bot.send_photo(user.id, got.message["photo"][-1]["file_id"])
    assert again.photo[-1].width == got.message["photo"][-1]["width"]


async def test_recordings_are_resent_by_file_id(sb: Sandbox, bot: telegram.Bot, user) -> None:
    said = sb.send_media(user, None, "voice", 35, size=5_000_000, caption="/report 声音")
    voice = said.message["voice"]
    assert (voice["duration"], voice["file_size"], voice["mime_type"]) == (
        35,
        5_000_000,
        "audio/ogg",
    )
    assert said.update["message"]["caption_entities"][0]["type"] == "bot_command"
    again = await bot.send_voice(user.id, voice["file_id"], caption="#1")
    assert again.voice.file_id == voice["file_id"] and again.caption == "#1"
    assert again.voice.to_dict()["duration"] == 35
    note = sb.send_media(user, None, "video_note", 12).message["video_note"]
    assert "mime_type" not in note and note["length"] == 240
    resent = await bot.send_video_note(user.id, note["file_id"])
    assert resent.video_note.file_unique_id == note["file_unique_id"]
    with rejected(sb, BadRequest, "Bad Request: wrong file identifier/HTTP URL specified"):
        await bot.send_audio(user.id, "AwACAgIAAxkBAAInope")
    with pytest.raises(ValueError, match="unknown recording kind"):
        sb.send_media(user, None, "sticker", 1)


async def test_ptb_defaults_extras_are_ignored(sb: Sandbox, user) -> None:
    defaults = Defaults(parse_mode="HTML", disable_notification=True, protect_content=True)
    async with ExtBot(TOKEN, base_url=sb.base_url, defaults=defaults) as bot:
        sent = await bot.send_message(user.id, "<b>卡片</b>", reply_markup=keyboard("a"))
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=None)
        await bot.edit_message_text("<i>新</i>", user.id, sent.message_id)
    assert sb.errors() == []
    assert sb.calls_to("editMessageReplyMarkup")[0].params["parse_mode"] == "HTML"
    assert "reply_markup" not in sb.message(user, sent.message_id)


async def test_a_user_edits_a_message(sb: Sandbox, bot: telegram.Bot, user) -> None:
    said = sb.send_text(user, None, "路灯坏了")
    edited = sb.edit_text(user, None, said.message_id, "/report 路灯坏了三天")
    [update] = edited.updates
    assert "message" not in update and update["edited_message"]["text"] == "/report 路灯坏了三天"
    assert update["edited_message"]["entities"][0]["type"] == "bot_command"
    assert "edit_date" in update["edited_message"]
    assert sb.message(user, said.message_id)["text"] == "/report 路灯坏了三天"
    other = sb.add_user("李明")
    with pytest.raises(ValueError, match="did not send"):
        sb.edit_text(other, user, said.message_id, "x")


async def test_the_playground_shows_a_recording_as_a_mark(sb: Sandbox, user) -> None:
    said = sb.send_media(user, None, "video_note", 75)
    stored = sb.world.private_chat(user).messages[said.message_id]
    assert message_json(sb, stored)["recording"] == {"kind": "video_note", "duration": 75}
