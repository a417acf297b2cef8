"""The households part of /tasks: who is due for a contact or a visit, links to approve."""

from __future__ import annotations

from telegram import Update

from bot.runtime import GridContext
from handlers.common import reply, texts_for
from handlers.households import render
from handlers.reports import onbehalf
from models.contacts import LogKind
from models.permissions import WORKERS, Actor
from services import compliance, household_links


async def households_due(update: Update, context: GridContext, actor: Actor) -> None:
    """Households of my units still due this month / this quarter; pending /join requests."""
    rt = context.rt
    t = texts_for(context, update)
    due = await compliance.due_for(rt.db, rt.clock, rt.config.tz, actor, listed=render.LIST_LIMIT)
    if due.total:
        lines = [
            t(
                "households.tasks_contact",
                month=due.month.key,
                count=due.contact_count,
                total=due.total,
            )
        ]
        if due.contact:
            lines.append(render.household_lines(t, due.contact, total=due.contact_count))
        lines.append(
            t(
                "households.tasks_visit",
                quarter=due.quarter.key,
                count=due.visit_count,
                total=due.total,
            )
        )
        if due.visit:
            lines.append(render.household_lines(t, due.visit, total=due.visit_count))
        if due.unlinked:
            lines.append(t("voice.no_phone_count", count=due.unlinked, total=due.total))
        markup = (
            onbehalf.with_pick_button(t, render.start_buttons(t, (LogKind.CONTACT, LogKind.VISIT)))
            if actor.role in WORKERS
            else None
        )
        await reply(update, "\n".join(lines), reply_markup=markup)
    for request, household in await household_links.pending_for(rt.db, actor):
        await reply(
            update,
            t(
                "households.link_request",
                name=request.display_name,
                household=render.household_label(household),
                unit=household.micro_grid_name,
            ),
            reply_markup=render.decision_buttons(t, request.id),
        )
