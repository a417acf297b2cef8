"""/join in a group: a resident picks their household; a worker approves or declines it."""

from __future__ import annotations

import logging

from telegram import Update, User
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.runtime import GridApp, GridContext
from bot.storage import people
from bot.texts import Html
from handlers.callback_data import BadCallbackData, number, pattern, unpack, unpack_any
from handlers.common import (
    current_actor,
    display_name,
    edit_pressed,
    pick_language,
    refuse,
    reply,
    set_buttons,
    texts_for,
)
from handlers.format import local_time
from handlers.households import render
from models.contacts import mask_address
from models.errors import Refusal
from models.units import Staff
from services import household_links
from services.household_links import Requested

log = logging.getLogger(__name__)


async def join(update: Update, context: GridContext) -> None:
    """Show the households of this group's micro-grid to pick one's own."""
    rt, chat, user = context.rt, update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    t = texts_for(context, update)
    try:
        found = await household_links.join_list(rt.db, chat.id, user.id)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    lines = []
    if found.current is not None:
        never = t("households.never")
        lines.append(
            t(
                "households.join_current",
                household=found.current.head_name,
                contact=local_time(rt, found.last_contact) if found.last_contact else never,
                visit=local_time(rt, found.last_visit) if found.last_visit else never,
            )
        )
    lines.append(t("households.join_pick", name=display_name(user), unit=found.unit.name))
    await reply(
        update,
        "\n".join(lines),
        reply_markup=render.join_picker(
            t, user.id, found.households, 0, rt.config.households.page_size
        ),
    )


async def join_press(update: Update, context: GridContext) -> None:
    """A button of the /join list: a page, a household, or cancel."""
    rt, query = context.rt, update.callback_query
    assert query is not None and query.message is not None
    t = texts_for(context, update)
    try:
        code, requester, value = [*unpack_any(query.data, render.JOIN_PREFIX, 2, 3), ""][:3]
        if number(requester) != query.from_user.id:
            raise Refusal("households.join_not_yours")
        if code == "x":
            await query.answer()
            await edit_pressed(query.message, t("households.cancelled"))
            return
        if code == "p":
            page = number(value)
            found = await household_links.join_list(
                rt.db, query.message.chat.id, query.from_user.id
            )
            await query.answer()
            await set_buttons(
                query.message,
                render.join_picker(
                    t, query.from_user.id, found.households, page, rt.config.households.page_size
                ),
            )
            return
        requested = await household_links.request_link(
            rt.db,
            rt.clock,
            query.message.chat.id,
            query.from_user.id,
            display_name(query.from_user),
            number(value),
        )
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await query.answer()
    names = t("households.name_separator").join(s.name for s in requested.approvers) or "—"
    await edit_pressed(
        query.message,
        t(
            "households.join_asked",
            name=display_name(query.from_user),
            household=requested.household.head_name,
            address=mask_address(requested.household.address),
            workers=names,
        ),
    )
    await _tell_approvers(context, requested, query.from_user)


async def _tell_approvers(context: GridContext, requested: Requested, user: User) -> None:
    """Each worker who may approve gets the request with buttons; the unreachable are
    mentioned in the group instead."""
    rt = context.rt
    unreachable: list[Staff] = []
    for staff in requested.approvers:
        assert staff.tg_user_id is not None
        async with rt.db.transaction():
            code = await people.language_of(rt.db, staff.tg_user_id)
        t = rt.lang(pick_language(rt, code))
        text = t(
            "households.link_request",
            name=display_name(user),
            household=render.household_label(requested.household),
            unit=requested.unit.name,
        )
        try:
            await context.bot.send_message(
                staff.tg_user_id,
                text,
                reply_markup=render.decision_buttons(t, requested.request.id),
            )
        except Forbidden:
            unreachable.append(staff)
        except TelegramError as exc:
            log.warning(
                "could not send link request %s to %s: %s", requested.request.id, staff.code, exc
            )
            unreachable.append(staff)
    if unreachable:
        t = rt.lang(None)
        names = t("households.mention_separator").join(
            t("households.mention", user_id=s.tg_user_id, name=s.name) for s in unreachable
        )
        try:
            await context.bot.send_message(
                requested.request.chat_id,
                t("households.link_mention", names=Html(names), name=display_name(user)),
            )
        except TelegramError as exc:
            log.warning("could not mention staff in group %s: %s", requested.request.chat_id, exc)


async def decide(update: Update, context: GridContext) -> None:
    """A worker pressed Approve or Decline."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        code, request_id = unpack(query.data, render.LINK_PREFIX, 2)
        actor = await current_actor(context, update)
        decided = await household_links.decide(
            rt.db, rt.clock, actor, number(request_id), approve=code == "a"
        )
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    outcome = "approved" if decided.approved else "declined"
    await query.answer(t(f"households.link_{outcome}_done"))
    await edit_pressed(
        query.message,
        t(
            f"households.link_{outcome}_staff",
            name=decided.request.display_name,
            household=render.household_label(decided.household),
            by=decided.by.name,
        ),
    )
    request = decided.request
    if decided.reachable:
        told = rt.lang(pick_language(rt, decided.language))
        try:
            await context.bot.send_message(
                request.tg_user_id,
                told(
                    f"households.link_{outcome}_resident",
                    household=decided.household.head_name,
                    by=decided.by.name,
                ),
            )
            return
        except TelegramError as exc:
            log.info(
                "could not tell %s privately about link %s: %s", request.tg_user_id, request.id, exc
            )
    group = rt.lang(None)
    mention = group("households.mention", user_id=request.tg_user_id, name=request.display_name)
    try:
        await context.bot.send_message(
            request.chat_id,
            group(
                f"households.link_{outcome}_group",
                mention=Html(mention),
                household=decided.household.head_name,
                by=decided.by.name,
            ),
        )
    except TelegramError as exc:
        log.warning("could not tell group %s about link %s: %s", request.chat_id, request.id, exc)


def register(app: GridApp) -> None:
    """Add the /join handlers."""
    app.add_handler(CommandHandler("join", join, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(join_press, pattern=pattern(render.JOIN_PREFIX)))
    app.add_handler(CallbackQueryHandler(decide, pattern=pattern(render.LINK_PREFIX)))
