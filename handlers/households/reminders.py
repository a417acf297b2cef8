"""How each kind of reminder reads, from what its send recorded."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup

from bot.runtime import Runtime
from bot.texts import Html, Lang
from handlers.common import pick_language
from handlers.households import render
from models.contacts import LogKind
from models.reminders import ReminderKind
from services.ledger import Entry


def _lines(t: Lang, payload: dict[str, Any]) -> str:
    listed = payload.get("households", [])
    lines = []
    for i, h in enumerate(listed, start=1):
        label = f"{h['name']} · {h['address'] or h['micro_grid']}"
        if h.get("no_phone"):
            label += f" · {render.NO_PHONE} {t('voice.no_phone')}"
        lines.append(t("households.list_line", n=i, household=label))
    more = int(payload.get("count", len(listed))) - len(listed)
    if more > 0:
        lines.append(t("households.list_more", count=more))
    return "\n".join(lines)


def render_reminder(rt: Runtime, send: Entry) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of one reminder, in its recipient's language."""
    t = rt.lang(pick_language(rt, send.language))
    kind, payload = ReminderKind.of_ledger(send.kind), send.payload
    if kind is ReminderKind.MONTHLY_CONTACT:
        text = t(
            "reminders.monthly_contact",
            period=payload["period"],
            count=payload["count"],
            households=Html(_lines(t, payload)),
        )
        return text, render.start_buttons(t, (LogKind.CONTACT,))
    if kind is ReminderKind.QUARTERLY_VISIT:
        text = t(
            "reminders.quarterly_visit",
            period=payload["period"],
            count=payload["count"],
            households=Html(_lines(t, payload)),
        )
        return text, render.start_buttons(t, (LogKind.VISIT,))
    if kind is ReminderKind.WEEKLY_CHECKIN:
        grids = t("households.name_separator").join(payload.get("grids", []))
        return t(
            "reminders.weekly_checkin", period=payload["period"], grids=grids
        ), render.checkin_button(t)
    month = t(f"reminders.month_{payload['month']}")
    if send.recipient.startswith("person:"):
        contact = (
            t("reminders.pension_contact", worker=payload["worker"], phone=payload["phone"])
            if payload.get("worker")
            else ""
        )
        return t(
            "reminders.pension_person",
            household=payload["household"],
            month=month,
            contact=Html(contact),
        ), None
    return t(
        "reminders.pension_worker",
        month=month,
        count=payload["count"],
        households=Html(_lines(t, payload)),
    ), render.start_buttons(t, (LogKind.VISIT,))
