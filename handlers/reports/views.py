"""/my, /tasks and /status."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.runtime import GridApp, GridContext
from handlers.common import current_actor, is_group, refuse, reply, texts_for
from handlers.reports.render import history, short_line, staff_buttons, staff_card
from handlers.reports.supervision_render import supervise_markup, with_progress
from models.attachments import send_params
from models.errors import Refusal
from models.permissions import Action, may
from models.reports import parse_number
from models.text_limits import split_html
from services.reports import views


async def my(update: Update, context: GridContext) -> None:
    """List my reports and where they stand."""
    rt, user = context.rt, update.effective_user
    assert user is not None
    t = texts_for(context, update)
    chat = update.effective_chat
    assert chat is not None
    # In a group, only what was filed in that group: the rest may be private.
    in_group = chat.id if is_group(update) else None
    found = await views.my_reports(rt.db, user.id, in_group)
    hint = [t("reports.my_group_hint", bot=context.bot.username)] if in_group else []
    if not found:
        await reply(update, "\n".join([t("reports.my_none"), *hint]))
        return
    lines = [t("reports.my_title"), *(short_line(rt, t, r) for r in found), *hint]
    for part in split_html("\n".join(lines)):
        await reply(update, part)


async def tasks(update: Update, context: GridContext) -> None:
    """List the open reports I own or that wait at my units, each with its buttons."""
    rt = context.rt
    t = texts_for(context, update)
    actor = await current_actor(context, update)
    if not may(actor, Action.TASKS) or actor.staff is None:
        await refuse(update, t, Refusal("common.not_allowed"))
        return
    found = await views.tasks(rt.db, actor)
    chat = update.effective_chat
    assert chat is not None
    await reply(
        update, t("reports.tasks_title", count=len(found)) if found else t("reports.tasks_none")
    )
    for report in found:
        view = await views.staff_view(rt.db, report, actor.staff)
        markup = with_progress(t, staff_buttons(t, report), view.marks, report.id)
        await reply(update, staff_card(rt, t, view), reply_markup=markup)
        # The recording and the location after the card, as its notice had them (a worker
        # the notice could not reach finds the report here).
        caption = t("voice.recording_caption", number=view.report.number)
        for attachment in view.attachments:
            method, params = send_params(attachment, caption)
            await rt.outbox.send(method, chat.id, params)
    for section in rt.features.task_sections:
        await section(update, context, actor)


async def status(update: Update, context: GridContext) -> None:
    """Show one report and its history, to those who may see it."""
    rt = context.rt
    t = texts_for(context, update)
    number = parse_number(context.args[0]) if context.args else None
    if number is None:
        await reply(update, t("reports.status_usage"))
        return
    actor = await current_actor(context, update)
    chat = update.effective_chat
    assert chat is not None
    try:
        view = await views.view(rt.db, actor, number, chat.id if is_group(update) else None)
    except Refusal as refusal:
        await refuse(update, t, refusal)
        return
    # A long history (many steps, long notes) goes in as many messages as it needs; a cadre
    # who may supervise the report finds 督办 under the last one.
    parts = split_html(history(rt, t, view))
    markup = supervise_markup(t, view.report.id, view.report.number) if view.supervisable else None
    for i, part in enumerate(parts):
        await reply(update, part, reply_markup=markup if i == len(parts) - 1 else None)


def register(app: GridApp) -> None:
    """Add the view commands."""
    app.add_handler(CommandHandler("my", my))
    app.add_handler(CommandHandler("tasks", tasks, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("status", status))
