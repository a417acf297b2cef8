"""Telegram entry points, one module per feature, registered in one place."""

from __future__ import annotations

from types import ModuleType

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.ext import Application

from bot.runtime import Features
from bot.texts import Texts
from handlers import (
    cadre,
    errors,
    flows,
    groups,
    help,
    households,
    limits,
    onboarding,
    privacy,
    private_text,
    reports,
    unclaimed,
    wrong_place,
)
from handlers.common import MenuCommand

# Order matters only within a handler group; each feature registers its own handlers.
# What people type is screened first in group -4 (handlers.privacy), per-person limits apply
# in group -3 (handlers.limits); a private text's owner
# is decided in group -2, before any feature consumes it (handlers.private_text);
# membership tracking runs in group -1 (handlers.groups).
FEATURES: list[ModuleType] = [
    privacy,
    private_text,
    onboarding,
    groups,
    reports,
    households,
    cadre,
    flows,
    help,
]


def register(app: Application) -> None:
    """Add every feature's handlers and the error handler."""
    limits.register(app)
    for feature in FEATURES:
        feature.register(app)
    wrong_place.register(app, menu())
    unclaimed.register(app)
    app.add_error_handler(errors.on_error)


def features() -> Features:
    """What features offer each other: the parts of /tasks after the open reports, and the
    deep links a step-by-step flow answers instead of the greeting."""
    return Features(
        task_sections=(households.TASK_SECTION, flows.TASK_SECTION),
        flow_payloads=frozenset(flows.DEEP_LINKS),
    )


def menu() -> list[MenuCommand]:
    """Every command of every feature, for Telegram's command menu."""
    seen: dict[str, MenuCommand] = {}
    for feature in FEATURES:
        for command in getattr(feature, "MENU", []):
            seen.setdefault(command.name, command)
    return list(seen.values())


async def publish_menu(app: Application, texts: Texts, default_language: str) -> None:
    """Register the command menu per scope (private, group) and language."""
    commands = menu()
    scopes = {"private": BotCommandScopeAllPrivateChats(), "group": BotCommandScopeAllGroupChats()}
    for where, scope in scopes.items():
        for language in [*texts.catalogs, None]:
            t = texts.lang(language or default_language)
            listed = [BotCommand(c.name, t(f"menu.{c.name}")) for c in commands if where in c.where]
            await app.bot.set_my_commands(listed, scope=scope, language_code=language)
