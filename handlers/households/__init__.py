"""Households in Telegram: /visit, /contact, /checkin, /join, and their part of /tasks."""

from __future__ import annotations

from bot.runtime import GridApp
from handlers.common import MenuCommand, group_only, private_only
from handlers.households import join, logbook, tasks

MENU: list[MenuCommand] = [
    private_only("visit"),
    private_only("contact"),
    private_only("checkin"),
    group_only("join"),
]


def register(app: GridApp) -> None:
    """Add the household handlers (their part of /tasks is listed in handlers.features)."""
    logbook.register(app)
    join.register(app)


TASK_SECTION = tasks.households_due
