"""/help: what this person can do here."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.runtime import GridContext
from handlers.common import MenuCommand, anywhere, current_actor, is_group, reply, texts_for
from models.permissions import Role

MENU: list[MenuCommand] = [anywhere("help")]


def help_key(role: Role, in_group: bool) -> str:
    """The catalog key of the help text for a role, in a group or in private."""
    if role is Role.RESIDENT:
        return "help.resident_group" if in_group else "help.resident_private"
    if role is Role.L0:
        return "county.help_l0"
    return f"help.{role.value}"


async def show_help(update: Update, context: GridContext) -> None:
    """Tell the person what they can do here."""
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    text = t(help_key(actor.role, is_group(update)))
    if actor.role is not Role.RESIDENT and is_group(update):
        text = t("help.resident_group") + "\n\n" + t("help.staff_in_group")
    await reply(update, text)


def register(app: Application) -> None:
    """Add this feature's handlers."""
    app.add_handler(CommandHandler("help", show_help))
