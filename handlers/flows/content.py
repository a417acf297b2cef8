"""The town's files (questionnaire, handbook, pension guide) as loaded at start-up."""

from __future__ import annotations

from bot.runtime import Runtime
from services.town_files import RUNTIME_KEY, TownFiles


def town_files(rt: Runtime) -> TownFiles:
    """The town files the bot started with."""
    files: TownFiles = rt.extras[RUNTIME_KEY]
    return files
