"""The bot in groups: added and removed, /bind, /card, supergroup upgrades, members."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.runtime import GridContext
from handlers.common import (
    MenuCommand,
    command_args,
    current_actor,
    display_name,
    group_only,
    is_group,
    refuse,
    reply,
    texts_for,
)
from handlers.format import render_card
from handlers.reports import filing
from models.errors import Refusal
from services import groups, people

log = logging.getLogger(__name__)

MENU: list[MenuCommand] = [group_only("bind"), group_only("card")]
# Membership is noted before the feature handlers run (they may check it).
MEMBERSHIP_GROUP = -1
_IN = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


def _joined_or_left(change: ChatMemberUpdated) -> bool | None:
    was = change.old_chat_member.status in _IN
    now = change.new_chat_member.status in _IN
    return None if was == now else now


async def bot_membership(update: Update, context: GridContext) -> None:
    """The bot was added to or removed from a group."""
    change = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    joined = _joined_or_left(change)
    rt = context.rt
    if joined is False:
        await groups.bot_removed(rt.db, rt.clock, change.chat.id)
        return
    if joined:
        group = await groups.bot_added(rt.db, rt.clock, change.chat.id, change.chat.title or "")
        t = rt.lang(None)
        key = "groups.added_bound" if group.micro_grid_id else "groups.added_unbound"
        await context.bot.send_message(change.chat.id, t(key, bot=context.bot.username))


async def migrate(update: Update, context: GridContext) -> None:
    """Telegram upgraded the group to a supergroup: follow it to its new id."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    if await groups.migrated(context.rt.db, context.rt.clock, old, new):
        await filing.ask_again_after_upgrade(update, context, new)


async def bind(update: Update, context: GridContext) -> None:
    """Bind this group to a micro-grid, then post and pin its contact card."""
    rt, chat = context.rt, update.effective_chat
    assert chat is not None
    t = texts_for(context, update)
    code = command_args(context)
    if not code:
        await reply(update, t("groups.bind_usage"))
        return
    actor = await current_actor(context, update)
    try:
        binding = await groups.bind_group(rt.db, rt.clock, actor, chat.id, chat.title or "", code)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await reply(update, t("groups.bound", name=binding.unit.name, code=binding.unit.code))
    if binding.moved_from is not None:
        try:
            await context.bot.send_message(
                binding.moved_from, rt.lang(None)("groups.moved_away", name=binding.unit.name)
            )
        except TelegramError as exc:
            log.info("could not tell group %s it was unbound: %s", binding.moved_from, exc)
    await post_card(context, chat.id, pin=True)


async def post_card(context: GridContext, chat_id: int, pin: bool) -> None:
    """Send the group's contact card, pinning it when asked and allowed."""
    rt = context.rt
    card = await groups.card_for_chat(rt.db, chat_id)
    if card is None:
        return
    message = await context.bot.send_message(chat_id, render_card(rt.lang(None), card))
    if not pin:
        return
    try:
        await context.bot.pin_chat_message(chat_id, message.message_id, disable_notification=True)
    except TelegramError as exc:
        log.info("could not pin the card in %s: %s", chat_id, exc)
        await context.bot.send_message(chat_id, rt.lang(None)("groups.pin_failed"))
        return
    await groups.remember_card(rt.db, chat_id, message.message_id)


async def card(update: Update, context: GridContext) -> None:
    """Show this group's contact card."""
    t = texts_for(context, update)
    chat = update.effective_chat
    assert chat is not None
    found = await groups.card_for_chat(context.rt.db, chat.id)
    if found is None:
        await refuse(update, t, Refusal("groups.not_bound", bot=context.bot.username))
        return
    await reply(update, render_card(t, found))


async def note_members(update: Update, context: GridContext) -> None:
    """Remember who is in this group (from their messages and joins)."""
    message, rt = update.effective_message, context.rt
    if message is None or not is_group(update):
        return
    chat_id = message.chat.id
    for user in message.new_chat_members or ():
        if not user.is_bot:
            await people.seen(
                rt.db,
                rt.clock,
                user.id,
                display_name(user),
                user.username,
                user.language_code,
                in_group=chat_id,
            )
    left = message.left_chat_member
    if left is not None and not left.is_bot:
        await people.seen(
            rt.db,
            rt.clock,
            left.id,
            display_name(left),
            left.username,
            left.language_code,
            left_group=chat_id,
        )
    sender = message.from_user
    if sender is not None and not sender.is_bot and left is None:
        await people.seen(
            rt.db,
            rt.clock,
            sender.id,
            display_name(sender),
            sender.username,
            sender.language_code,
            in_group=chat_id,
        )


def register(app: Application) -> None:
    """Add this feature's handlers."""
    app.add_handler(MessageHandler(filters.ChatType.GROUPS, note_members), MEMBERSHIP_GROUP)
    app.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrate))
    app.add_handler(CommandHandler("bind", bind, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("card", card, filters=filters.ChatType.GROUPS))
