"""Telling people about a case move, for every kind: the person who asked, the staff of a
level the case climbed to, and the refreshed copies of the staff who hold one. A kind brings
its renderer (`CaseRenderer`); the notices are enqueued in the move's transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.runtime import GridContext
from handlers.staff_notices import post
from models.outbox import Notice
from models.units import Staff
from services.cases import Moved

log = logging.getLogger(__name__)

R = TypeVar("R")


@dataclass(frozen=True)
class CaseRenderer(Generic[R]):
    """How one kind of case is told: its subject and number, the notices to the person who
    asked (and anyone else a move concerns), the staff cards and the refreshed copies."""

    noun: str  # for the log: report, home visit
    subject: Callable[[R], str]  # the outbox subject, also the notices' key prefix
    number: Callable[[R], str]
    told: Callable[[GridContext, str, Moved[R]], Awaitable[list[Notice | None]]]
    staff_notices: Callable[[GridContext, str, R, list[Staff]], Awaitable[list[Notice]]]
    refresh: Callable[[GridContext, str, R], Awaitable[list[Notice]]]


async def tell_staff(
    context: GridContext, renderer: CaseRenderer[R], case: R, staff: list[Staff], step: str
) -> None:
    """Enqueue a new case's notices to the staff who must act (`step`: its name in the keys)."""
    key = f"{renderer.subject(case)}:{step}"
    await post(context, list(await renderer.staff_notices(context, key, case, staff)))


async def announce(context: GridContext, renderer: CaseRenderer[R], moved: Moved[R]) -> None:
    """Enqueue, in the move's transaction, everything a move causes."""
    case, change = moved.after, moved.change
    log.info(
        "%s %s %s: %s -> %s at level %d by %s%s",
        renderer.noun,
        renderer.number(case),
        change.move,
        change.before.status,
        change.after.status,
        int(change.after.level or 0),
        f"staff {moved.by.code}" if moved.by else "the reporter or the system",
        " (deadline)" if moved.overdue else "",
    )
    key = f"{renderer.subject(case)}:ev{moved.event_id}"
    notices = await renderer.told(context, key, moved)
    if moved.route is not None:
        notices += await renderer.staff_notices(context, key, case, moved.route.staff)
    notices += await renderer.refresh(context, key, case)
    await post(context, notices)
