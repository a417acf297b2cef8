"""/join in a group: a resident picks their household; a worker approves or declines it."""

from __future__ import annotations

import logging

from telegram import Update, User
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.runtime import GridApp, GridContext
from bot.texts import Html
from handlers.callback_data import BadCallbackData, number, pattern, unpack, unpack_any
from handlers.common import (
    answer_quietly,
    current_actor,
    display_name,
    edit_pressed,
    language_for,
    pick_language,
    refuse,
    reply,
    set_buttons,
    texts_for,
)
from handlers.format import local_time
from handlers.households import render
from handlers.staff_notices import message, post
from models.contacts import mask_address
from models.errors import Refusal
from models.outbox import Notice, Recipient
from services import household_links
from services.household_links import Decided, Requested

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
        user = query.from_user

        async def notify(requested: Requested) -> None:
            await post(context, await _approver_notices(context, requested, user))

        requested = await household_links.request_link(
            rt.db,
            rt.clock,
            query.message.chat.id,
            user.id,
            display_name(user),
            number(value),
            then=notify,
        )
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await answer_quietly(query)
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


async def _approver_notices(
    context: GridContext, requested: Requested, user: User
) -> list[Notice | None]:
    """Each worker who may approve gets the request with buttons; one who cannot be reached
    privately is mentioned in the group instead."""
    rt = context.rt
    request = requested.request
    key, subject = f"link:{request.id}:asked", f"link:{request.id}"
    group = rt.lang(None)
    notices: list[Notice | None] = []
    for staff in requested.approvers:
        assert staff.tg_user_id is not None
        t = await language_for(context, staff.tg_user_id)
        text = t(
            "households.link_request",
            name=display_name(user),
            household=render.household_label(requested.household),
            unit=requested.unit.name,
        )
        names = group("households.mention", user_id=staff.tg_user_id, name=staff.name)
        mention = message(
            f"{key}:mention:{staff.id}",
            request.chat_id,
            group("households.link_mention", names=Html(names), name=display_name(user)),
            Recipient.GROUP,
            subject,
        )
        notices.append(
            message(
                f"{key}:staff:{staff.id}",
                staff.tg_user_id,
                text,
                Recipient.STAFF,
                subject,
                render.decision_buttons(t, request.id),
                staff_id=staff.id,
                fallback=mention,
            )
        )
    return notices


async def decide(update: Update, context: GridContext) -> None:
    """A worker pressed Approve or Decline."""
    rt, query = context.rt, update.callback_query
    assert query is not None
    t = texts_for(context, update)
    try:
        code, request_id = unpack(query.data, render.LINK_PREFIX, 2)
        actor = await current_actor(context, update)
        decided = await household_links.decide(
            rt.db,
            rt.clock,
            actor,
            number(request_id),
            approve=code == "a",
            then=lambda decided: post(context, [_decision_notice(context, decided)]),
        )
    except BadCallbackData:
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    outcome = "approved" if decided.approved else "declined"
    await answer_quietly(query, t(f"households.link_{outcome}_done"))
    await edit_pressed(
        query.message,
        t(
            f"households.link_{outcome}_staff",
            name=decided.request.display_name,
            household=render.household_label(decided.household),
            by=decided.by.name,
        ),
    )


def _decision_notice(context: GridContext, decided: Decided) -> Notice:
    """The resident is told privately when they can be, else (or on 403) in the group."""
    rt, request = context.rt, decided.request
    outcome = "approved" if decided.approved else "declined"
    key, subject = f"link:{request.id}:{outcome}", f"link:{request.id}"
    group = rt.lang(None)
    mention = group("households.mention", user_id=request.tg_user_id, name=request.display_name)
    in_group = message(
        f"{key}:group",
        request.chat_id,
        group(
            f"households.link_{outcome}_group",
            mention=Html(mention),
            household=decided.household.head_name,
            by=decided.by.name,
        ),
        Recipient.GROUP,
        subject,
    )
    if not decided.reachable:
        return in_group
    told = rt.lang(pick_language(rt, decided.language))
    text = told(
        f"households.link_{outcome}_resident",
        household=decided.household.head_name,
        by=decided.by.name,
    )
    return message(
        f"{key}:resident",
        request.tg_user_id,
        text,
        Recipient.RESIDENT,
        subject,
        fallback=in_group,
    )


def register(app: GridApp) -> None:
    """Add the /join handlers."""
    app.add_handler(CommandHandler("join", join, filters=filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(join_press, pattern=pattern(render.JOIN_PREFIX)))
    app.add_handler(CallbackQueryHandler(decide, pattern=pattern(render.LINK_PREFIX)))
