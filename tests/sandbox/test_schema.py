"""The sandbox's own answers and updates conform to the Bot API schema."""

from __future__ import annotations

import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from sandbox import Sandbox


async def test_results_and_updates_match_schema(sb: Sandbox, bot: telegram.Bot) -> None:
    user = sb.add_user("赵六", username="zhao6", language_code="zh")
    group = sb.add_group("检查群", members=[user], supergroup=True)
    sb.start_bot(user)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ok")]])
    asked = sb.send_text(user, group, "/ask 问题 @zhao6 #标签")
    sent = await bot.send_message(
        group.id,
        "<b>答</b>",
        parse_mode="HTML",
        reply_markup=markup,
        reply_to_message_id=asked.message_id,
    )
    await bot.edit_message_text(
        "<i>改</i>", group.id, sent.message_id, parse_mode="HTML", reply_markup=markup
    )
    await bot.send_photo(user.id, b"GIF89a\x01\x00\x01\x00", caption="图")
    await bot.send_document(user.id, b"data", filename="a.txt")
    await bot.send_location(user.id, 1.5, 2.5)
    await bot.pin_chat_message(group.id, sent.message_id)
    await bot.get_chat(group.id)
    await bot.get_chat_member(group.id, user.id)
    await bot.get_chat_administrators(group.id)
    await bot.get_me()
    sb.press(user, group, sent.message_id, "ok")
    sb.send_photo(user, None, caption="/report 图")
    sb.send_location(user, None, 28.1, 112.9)
    sb.send_contact(user, None, "+8613800000000")
    voice = sb.send_media(user, None, "voice", 35, caption="/report 声音")
    sb.send_media(user, group, "audio", 61, reply_to=asked.message_id)
    note = sb.send_media(user, None, "video_note", 9)
    await bot.send_voice(user.id, voice.message["voice"]["file_id"], caption="#1")
    await bot.send_video_note(user.id, note.message["video_note"]["file_id"])
    await bot.send_audio(user.id, b"ID3 data", duration=3)
    sb.join(sb.add_user("新人"), group)
    sb.add_bot_to_group(user, sb.add_group("另一群", members=[user], bot_status="left"))
    await bot.get_updates()
    assert sb.errors() == []
    for call in sb.calls:
        mismatch = sb.schema.check(sb.schema.returns(call.method), call.result, "result")
        assert mismatch is None, (call.method, mismatch)
    for update in sb.pending_updates():
        assert sb.schema.check(["Update"], update, "update") is None, update
