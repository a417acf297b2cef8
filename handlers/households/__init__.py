"""Households in Telegram: /visit, /contact, /checkin, /join, and their part of /tasks."""

from __future__ import annotations

from bot.runtime import GridApp
from handlers.common import MenuCommand, group_only, private_only
from handlers.households import join, logbook, tasks
from handlers.reports.views import TASK_SECTIONS

MENU: list[MenuCommand] = [
    private_only("visit"),
    private_only("contact"),
    private_only("checkin"),
    group_only("join"),
]


def register(app: GridApp) -> None:
    """Add the household handlers and the /tasks section."""
    logbook.register(app)
    join.register(app)
    # Registration runs once per Application; a restart in the same process must not add
    # the section twice.
    if tasks.households_due not in TASK_SECTIONS:
        TASK_SECTIONS.append(tasks.households_due)
