"""Telegram entry points, one module per feature, registered in one place."""

from __future__ import annotations

from types import ModuleType

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.ext import Application

from bot.runtime import Features, Presenters, SweptKind
from bot.texts import Texts
from handlers import (
    cadre,
    case_notices,
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
from handlers.cadre.assess import send_assessment
from handlers.cadre.delivery import resume_announcements
from handlers.cadre.digest import digest_chart, send_digest
from handlers.common import MenuCommand, language_for
from handlers.flows.idle import end_idle_flows
from handlers.flows.pension_notify import RENDERER as VISIT_RENDERER
from handlers.households.reminders import render_reminder
from handlers.reports.notify import RENDERER as REPORT_RENDERER
from handlers.reports.supervise import tell_lapsed
from services.pension_visits import HOME_VISITS
from services.reports.moves import REPORTS

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


def presenters() -> Presenters:
    """How scheduled jobs speak to people: the renderers and senders they call."""
    return Presenters(
        swept=(
            SweptKind(
                REPORTS,
                REPORT_RENDERER.noun,
                case_notices.announcer(REPORT_RENDERER),
                lapsed=tell_lapsed,
            ),
            SweptKind(HOME_VISITS, VISIT_RENDERER.noun, case_notices.announcer(VISIT_RENDERER)),
        ),
        language_for=language_for,
        reminder=render_reminder,
        digest_chart=digest_chart,
        send_digest=lambda context, chat_id, t, digest, chart, png: send_digest(
            context, chat_id, t, digest, chart, png=png
        ),
        send_assessment=send_assessment,
        resume_announcements=resume_announcements,
        end_idle_flows=end_idle_flows,
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
