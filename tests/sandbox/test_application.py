"""Round trips with PTB's Application polling the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox import Sandbox
from tests.sandbox.conftest import TOKEN


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="confirm")]])
    await update.effective_message.reply_html("<b>欢迎</b> 使用网格助手", reply_markup=keyboard)


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("已确认")
    await query.edit_message_text("已确认 ✅")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"收到：{update.effective_message.text}")


@pytest.fixture
async def app(sb: Sandbox) -> AsyncIterator[Application]:
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(sb.base_url)
        .base_file_url(sb.base_file_url)
        .rate_limiter(AIORateLimiter())
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(confirm))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=5)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def test_start_command_round_trip(sb: Sandbox, app: Application) -> None:
    user = sb.add_user("王秀英", language_code="zh")
    sent = sb.send_text(user, None, "/start")
    reply = await sb.wait_bot_message(user, after=sent.message_id, timeout=5)
    assert reply["text"] == "欢迎 使用网格助手"
    assert reply["entities"][0]["type"] == "bold"
    pressed = sb.press(user, reply, "confirm")
    await sb.wait_for(lambda: sb.callback_answer(pressed.query_id), timeout=5)
    assert sb.callback_answer(pressed.query_id) == {"text": "已确认"}
    await sb.wait_for(lambda: sb.message(user, reply["message_id"])["text"] == "已确认 ✅")
    await sb.wait_updates_consumed(timeout=5)
    assert sb.errors() == []


async def test_group_privacy_with_application(sb: Sandbox, app: Application) -> None:
    user = sb.add_user("李四")
    group = sb.add_group("村民群", members=[user])
    sb.send_text(user, group, "大家好")
    command = sb.send_text(user, group, "/start@gridbot_bot")
    reply = await sb.wait_bot_message(group, after=command.message_id, timeout=5)
    answer = sb.send_text(user, group, "谢谢", reply_to=reply["message_id"])
    echoed = await sb.wait_bot_message(group, contains="收到", timeout=5)
    assert echoed["text"] == "收到：谢谢"
    assert echoed["reply_to_message"]["message_id"] == answer.message_id
    assert [m["text"] for m in sb.bot_messages(group)] == ["欢迎 使用网格助手", "收到：谢谢"]
