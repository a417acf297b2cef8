"""The town's files (questionnaire, handbook, pension guide) as loaded at start-up."""

from __future__ import annotations

from bot.runtime import Runtime
from services.town_files import TownFiles


def town_files(rt: Runtime) -> TownFiles:
    """The town files the bot started with."""
    return rt.files
