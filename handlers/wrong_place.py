"""Commands used in the wrong kind of chat get a short pointer instead of silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.runtime import GridApp, GridContext
from handlers.common import MenuCommand, reply, texts_for

# After the feature handlers (group 0), which filter by chat type themselves.
WRONG_PLACE_GROUP = 1


async def private_please(update: Update, context: GridContext) -> None:
    """A private-only command was sent in a group."""
    await reply(update, texts_for(context, update)("common.private_only", bot=context.bot.username))


async def group_please(update: Update, context: GridContext) -> None:
    """A group-only command was sent in private."""
    await reply(update, texts_for(context, update)("common.group_only"))


def register(app: GridApp, menu: list[MenuCommand]) -> None:
    """Point private-only commands to the private chat and group-only ones to the group."""
    private = [c.name for c in menu if c.where == frozenset({"private"}) and c.name != "start"]
    group = [c.name for c in menu if c.where == frozenset({"group"})]
    if private:
        app.add_handler(
            CommandHandler(private, private_please, filters=filters.ChatType.GROUPS),
            WRONG_PLACE_GROUP,
        )
    if group:
        app.add_handler(
            CommandHandler(group, group_please, filters=filters.ChatType.PRIVATE), WRONG_PLACE_GROUP
        )
