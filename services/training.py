"""The playground's training tasks per role, each done when the database shows it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.storage import training
from bot.storage.db import Database

Check = Callable[[Database, int], Awaitable[int]]


@dataclass(frozen=True)
class Task:
    """One training task: its text key (`playground.task_<key>`) and how to see it done."""

    key: str
    check: Check
    by_staff: bool  # checked by the staff id (else by the Telegram user id)


def _moves(to_status: str) -> Check:
    async def check(db: Database, staff_id: int) -> int:
        return await training.report_moves(db, staff_id, to_status)

    return check


TASKS: dict[str, tuple[Task, ...]] = {
    "resident": (
        Task("file_report", training.reports_filed, by_staff=False),
        Task("confirm", training.confirmations, by_staff=False),
    ),
    "l4": (
        Task("accept", _moves("accepted"), by_staff=True),
        Task("resolve", _moves("resolved"), by_staff=True),
        Task("visit", training.visits_logged, by_staff=True),
    ),
    "l3": (
        Task("accept_escalated", _moves("accepted"), by_staff=True),
        Task("checkin", training.checkins, by_staff=True),
    ),
    "l2": (Task("announce", training.announcements_sent, by_staff=True),),
    "l1": (
        Task("invite", training.invitations_made, by_staff=True),
        Task("checkin", training.checkins, by_staff=True),
    ),
}


async def progress(
    db: Database, role: str, tg_user_id: int, staff_id: int | None
) -> list[tuple[str, bool]]:
    """Each task of a role with whether it is done."""
    done: list[tuple[str, bool]] = []
    async with db.reading():
        for task in TASKS.get(role, ()):
            subject = staff_id if task.by_staff else tg_user_id
            count = await task.check(db, subject) if subject is not None else 0
            done.append((task.key, count > 0))
    return done
