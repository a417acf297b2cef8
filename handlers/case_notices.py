"""Telling people about a case move, for every kind: the person who asked, the staff of a
level the case climbed to, and the refreshed copies of the staff who hold one. A kind brings
its renderer (`CaseRenderer`); the notices are enqueued in the move's transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bot.runtime import GridContext
from handlers.staff_notices import Render, post, staff_notices
from models.outbox import Notice
from models.units import Staff
from services.cases import Moved

log = logging.getLogger(__name__)


class Record(Protocol):
    """What the notifier reads of any kind's record."""

    @property
    def number(self) -> str:
        """The number people see: #12, P3."""
        ...

    @property
    def micro_grid_id(self) -> int | None:
        """Where the case belongs (its group gets the mentions)."""
        ...


R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class CaseRenderer(Generic[R]):
    """How one kind of case is told: its subject, the staff's cards, what the person who
    asked (and anyone else a move concerns) is told, and the refreshed copies."""

    noun: str  # for the log: report, home visit
    subject: Callable[[R], str]  # the outbox subject, also the notices' key prefix
    mention_key: str  # the group mention of staff who cannot be written to
    cards: Callable[[GridContext, R], Awaitable[Render]]
    told: Callable[[GridContext, str, Moved[R]], Awaitable[list[Notice | None]]]
    refresh: Callable[[GridContext, str, R], Awaitable[list[Notice]]]


async def staff_notices_for(
    context: GridContext, renderer: CaseRenderer[R], key: str, case: R, staff: list[Staff]
) -> list[Notice]:
    """The case's card with its buttons for each staff member; a mention in the group (names
    and the number only) as the fallback."""
    render = await renderer.cards(context, case)
    subject = renderer.subject(case)
    return await staff_notices(
        context, key, subject, staff, render, case.micro_grid_id, renderer.mention_key, case.number
    )


async def tell_staff(
    context: GridContext, renderer: CaseRenderer[R], case: R, staff: list[Staff], step: str
) -> None:
    """Enqueue a new case's notices to the staff who must act (`step`: its name in the keys)."""
    key = f"{renderer.subject(case)}:{step}"
    await post(context, list(await staff_notices_for(context, renderer, key, case, staff)))


async def announce(context: GridContext, renderer: CaseRenderer[R], moved: Moved[R]) -> None:
    """Enqueue, in the move's transaction, everything a move causes."""
    case, change = moved.after, moved.change
    log.info(
        "%s %s %s: %s -> %s at level %d by %s%s",
        renderer.noun,
        case.number,
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
        notices += await staff_notices_for(context, renderer, key, case, moved.route.staff)
    notices += await renderer.refresh(context, key, case)
    await post(context, notices)


def announcer(renderer: CaseRenderer[R]) -> Callable[[GridContext, Moved[R]], Awaitable[None]]:
    """`announce` with this kind's renderer (what the deadline sweep calls per move)."""

    async def announce_move(context: GridContext, moved: Moved[R]) -> None:
        await announce(context, renderer, moved)

    return announce_move
