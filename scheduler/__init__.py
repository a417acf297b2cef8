"""Scheduled work on PTB's JobQueue (APScheduler 3): registration with deterministic names."""

from __future__ import annotations

from bot.config import Config
from bot.runtime import GridApp
from scheduler import backup, cadre, deadlines, flows, reminders, retention


def register(app: GridApp, config: Config) -> None:
    """Schedule every periodic job (scheduling twice replaces, never duplicates)."""
    deadlines.register(app, config)
    flows.register(app, config)
    reminders.register(app, config)
    cadre.register(app, config)
    retention.register(app, config)
    backup.register(app, config)
