"""Telling people about home visits: the staff who must act (with buttons), the requester
at each step, and refreshing every staff copy when the request moves on."""

from __future__ import annotations

from bot.runtime import GridContext
from bot.texts import Lang
from handlers import case_notices
from handlers.case_notices import CaseRenderer
from handlers.common import language_for
from handlers.flows import pension_render as render_card
from handlers.flows.pension_render import handler_names
from handlers.format import local_time, role_name
from handlers.staff_notices import Card, Render, message
from models.cases import Kind
from models.outbox import Notice, Recipient
from models.pension import Move, PensionRequest, staff_may
from models.permissions import Actor
from models.units import Staff
from services import cases, pension
from services.actors import actor_for
from services.pension_visits import Moved

__all__ = ["announce", "handler_names", "may_act", "tell_staff"]


def subject_of(request: PensionRequest) -> str:
    """The outbox subject of a request's notices."""
    return f"pension:{request.id}"


async def cards(context: GridContext, request: PensionRequest) -> Render:
    """Each staff member's card of the request, with its buttons (the same for all)."""
    rt = context.rt
    view = await pension.view(rt.db, request.id)

    async def render(person: Staff, t: Lang) -> Card:
        return Card(render_card.card_text(rt, t, view), render_card.staff_markup(t, request))

    return render


async def tell_staff(context: GridContext, request: PensionRequest, staff: list[Staff]) -> None:
    """Enqueue a new request's notices to the staff who must act."""
    await case_notices.tell_staff(context, RENDERER, request, staff, "new")


async def refresh_notices(context: GridContext, key: str, request: PensionRequest) -> list[Notice]:
    """Edits of every staff copy of the request: its text, and buttons for who may still act."""
    rt = context.rt
    view = await pension.view(rt.db, request.id)
    copies = await cases.delivered_copies(rt.db, Kind.HOME_VISIT, request.id)
    notices = []
    for staff_id, chat_id, message_id in copies:
        t = await language_for(context, chat_id)
        actor = await current_actor_by_id(context, chat_id)
        params: dict[str, object] = {
            "message_id": message_id,
            "text": render_card.card_text(rt, t, view),
        }
        markup = render_card.staff_markup(t, view.request)
        if markup is not None and actor.staff is not None and actor.staff.id == staff_id:
            if may_act(actor, view):
                params["reply_markup"] = markup.to_dict()
        notices.append(
            Notice(
                f"{key}:refresh:{chat_id}:{message_id}",
                "editMessageText",
                chat_id,
                params,
                Recipient.STAFF,
                subject_of(request),
            )
        )
    return notices


def may_act(actor: Actor, view: pension.RequestView) -> bool:
    """Whether this staff member may still act on the visit (for its buttons)."""
    unit = view.micro_grid
    return (
        actor.staff is not None
        and unit is not None
        and view.request.is_open
        and staff_may(view.request, actor.staff.level, actor.covers(unit))
    )


async def current_actor_by_id(context: GridContext, tg_user_id: int) -> Actor:
    """The actor of a Telegram user (a staff member's copy may be for another account now)."""
    return await actor_for(context.rt.db, tg_user_id)


async def requester_notice(
    context: GridContext, key: str, request: PensionRequest, text_key: str, **values: object
) -> Notice:
    """A notice to the person who asked, in their private chat (in their language)."""
    t = await language_for(context, request.requester_tg_id)
    return message(
        f"{key}:requester",
        request.requester_tg_id,
        t(text_key, number=request.number, **values),
        Recipient.RESIDENT,
        subject_of(request),
    )


async def told(context: GridContext, key: str, moved: Moved) -> list[Notice | None]:
    """What the requester is told of a move: the visit's time, its outcome, or where it went."""
    request, rt, by = moved.after, context.rt, moved.by
    if moved.move == Move.SCHEDULE and request.visit_at is not None and by is not None:
        notice = await requester_notice(
            context,
            key,
            request,
            "pension.told_scheduled",
            name=by.name,
            phone=by.phone,
            when=local_time(rt, request.visit_at),
        )
    elif moved.move == Move.DONE and by is not None:
        notice = await requester_notice(context, key, request, "pension.told_done", name=by.name)
    elif moved.move == Move.FAIL and by is not None:
        notice = await requester_notice(
            context,
            key,
            request,
            "pension.told_failed",
            name=by.name,
            phone=by.phone,
            note=request.outcome_note,
        )
    elif moved.route is not None:
        t = rt.lang(None)
        notice = await requester_notice(
            context,
            key,
            request,
            "pension.told_escalated",
            level=role_name(t, moved.route.level),
            names=handler_names(t, moved.route),
        )
    else:
        return []
    return [notice]


async def announce(context: GridContext, moved: Moved) -> None:
    """Enqueue, in the move's transaction, the requester's notice, a new level's notices and
    the refreshed staff copies."""
    await case_notices.announce(context, RENDERER, moved)


# Home visits as the case notifier tells them.
RENDERER = CaseRenderer[PensionRequest](
    "home visit", subject_of, "pension.mention_staff", cards, told, refresh_notices
)
