"""/start (with an invitation token, it links a staff account) and /invite."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.runtime import GridContext
from handlers.common import (
    MenuCommand,
    command_args,
    current_actor,
    display_name,
    private_only,
    refuse,
    reply,
    texts_for,
)
from handlers.format import local_time, role_name
from models.errors import Refusal
from models.permissions import Action, may
from services import onboarding, people

MENU: list[MenuCommand] = [private_only("start"), private_only("invite")]
INVITATION_PREFIX = onboarding.TOKEN_PREFIX


async def start(update: Update, context: GridContext) -> None:
    """Greet the person; with an invitation token, link their staff record."""
    rt, user = context.rt, update.effective_user
    assert user is not None
    t = texts_for(context, update)
    await people.seen(
        rt.db,
        rt.clock,
        user.id,
        display_name(user),
        user.username,
        user.language_code,
        started=True,
    )
    payload = context.args[0] if context.args else ""
    # A deep link into a step-by-step flow is answered by that flow itself (handlers.flows,
    # in a later handler group), so the greeting stays out of the way.
    if payload in rt.features.flow_payloads:
        return
    if payload.startswith(INVITATION_PREFIX):
        try:
            staff = await onboarding.accept_invitation(rt.db, rt.clock, payload, user.id)
        except Refusal as refusal:
            await refuse(update, t, refusal)
            return
        await reply(update, t("onboarding.linked", name=staff.name, role=role_name(t, staff.level)))
        return
    actor = await current_actor(context, update)
    if actor.staff is not None:
        await reply(
            update,
            t(
                "onboarding.welcome_staff",
                name=actor.staff.name,
                role=role_name(t, actor.staff.level),
            ),
        )
    else:
        await reply(update, t("onboarding.welcome", name=display_name(user)))


async def invite(update: Update, context: GridContext) -> None:
    """Make a one-time invitation link for a staff member of my subtree."""
    rt = context.rt
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    if not may(actor, Action.INVITE):
        await refuse(update, t, Refusal("common.not_allowed"))
        return
    code = command_args(context)
    if not code:
        await reply(update, t("onboarding.invite_usage"))
        return
    try:
        made = await onboarding.create_invitation(
            rt.db, rt.clock, rt.config.invitations.valid_for, code, by=actor
        )
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    await reply(
        update,
        t(
            "onboarding.invite_made",
            name=made.staff.name,
            link=made.link(context.bot.username),
            expires=local_time(rt, made.expires_at),
        ),
    )


def register(app: Application) -> None:
    """Add this feature's handlers."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler("invite", invite, filters=private))
