"""Telling people about home visits: the staff who must act (with buttons), the requester
at each step, and refreshing every staff copy when the request moves on."""

from __future__ import annotations

import logging

from telegram import Message
from telegram.error import BadRequest, TelegramError

from bot.clock import to_ts
from bot.runtime import GridContext
from bot.storage import pension as store
from bot.texts import Lang
from handlers.common import language_for
from handlers.flows import pension_render as render
from handlers.flows.pension_render import handler_names
from handlers.format import local_time, role_name
from handlers.staff_notices import mention_in_group, notify_staff
from models.pension import Move, PensionRequest, staff_may
from models.permissions import Actor
from models.units import Staff
from services import pension
from services.actors import actor_for
from services.pension_visits import Moved

log = logging.getLogger(__name__)

__all__ = ["announce", "handler_names", "may_act", "tell_staff"]


async def tell_staff(context: GridContext, request: PensionRequest, staff: list[Staff]) -> None:
    """Send each staff member the request with its buttons; mention the unreachable ones."""
    rt = context.rt
    view = await pension.view(rt.db, request.id)

    async def send(person: Staff, chat_id: int, t: Lang) -> Message:
        return await context.bot.send_message(
            chat_id, render.card_text(rt, t, view), reply_markup=render.staff_markup(t, request)
        )

    async def record(person: Staff, message: Message | None) -> None:
        async with rt.db.transaction():
            await store.add_notice(
                rt.db,
                request.id,
                person.id,
                person.tg_user_id,
                message.message_id if message else None,
                message is not None,
                to_ts(rt.clock.now()),
            )

    unreachable = await notify_staff(context, staff, send, record)
    # No personal data in the group: only the names of the staff and the request's number.
    await mention_in_group(
        context, request.micro_grid_id, unreachable, "pension.mention_staff", request.number
    )


async def refresh(context: GridContext, request: PensionRequest) -> None:
    """Update every staff copy of the request: its text, and buttons for who may still act."""
    rt = context.rt
    view = await pension.view(rt.db, request.id)
    async with rt.db.transaction():
        notices = await store.delivered_notices(rt.db, request.id)
    seen: set[tuple[int, int]] = set()
    for staff_id, chat_id, message_id in notices:
        if (chat_id, message_id) in seen:
            continue
        seen.add((chat_id, message_id))
        t = await language_for(context, chat_id)
        actor = await current_actor_by_id(context, chat_id)
        markup = None
        if actor.staff is not None and actor.staff.id == staff_id and may_act(actor, view):
            markup = render.staff_markup(t, view.request)
        try:
            await context.bot.edit_message_text(
                render.card_text(rt, t, view), chat_id, message_id, reply_markup=markup
            )
        except BadRequest as exc:
            if "not modified" not in str(exc):
                log.info("could not refresh pension request %s in %s: %s", request.id, chat_id, exc)
        except TelegramError as exc:
            log.info("could not refresh pension request %s in %s: %s", request.id, chat_id, exc)


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
    async with context.rt.db.transaction():
        return await actor_for(context.rt.db, tg_user_id)


async def tell_requester(
    context: GridContext, request: PensionRequest, key: str, **values: object
) -> None:
    """Tell the person who asked, in their private chat."""
    t = await language_for(context, request.requester_tg_id)
    try:
        await context.bot.send_message(
            request.requester_tg_id, t(key, number=request.number, **values)
        )
    except TelegramError as exc:
        log.warning("could not tell the requester of %s: %s", request.number, exc)


async def announce(context: GridContext, moved: Moved) -> None:
    """Tell the requester about a move, tell a new level's staff, refresh the staff copies."""
    request, rt = moved.after, context.rt
    by = moved.by
    if moved.move == Move.SCHEDULE.value and request.visit_at is not None and by is not None:
        await tell_requester(
            context,
            request,
            "pension.told_scheduled",
            name=by.name,
            phone=by.phone,
            when=local_time(rt, request.visit_at),
        )
    elif moved.move == Move.DONE.value and by is not None:
        await tell_requester(context, request, "pension.told_done", name=by.name)
    elif moved.move == Move.FAIL.value and by is not None:
        await tell_requester(
            context,
            request,
            "pension.told_failed",
            name=by.name,
            phone=by.phone,
            note=request.outcome_note,
        )
    elif moved.route is not None:
        t = rt.lang(None)
        await tell_requester(
            context,
            request,
            "pension.told_escalated",
            level=role_name(t, moved.route.level),
            names=handler_names(t, moved.route),
        )
        await tell_staff(context, request, moved.route.staff)
    await refresh(context, request)
