"""How home-visit requests look to staff, and the Schedule / Done / Could-not-complete buttons."""

from __future__ import annotations

from datetime import date, datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.runtime import Runtime
from bot.texts import Lang
from handlers.callback_data import pack
from handlers.format import local_time, role_name
from models.pension import PensionRequest
from services.pension import RequestView
from services.pension_visits import visit_days, visit_times
from services.reports.routing import Route

PREFIX = "pv"
SCHEDULE, DAY, TIME, BACK, DONE, FAIL = "s", "d", "t", "b", "k", "f"


def handler_names(t: Lang, route: Route) -> str:
    """Who a request went to: their names, or their level when nobody is linked yet."""
    return t("reports.name_separator").join(s.name for s in route.staff) or t(
        "reports.handler_level", level=role_name(t, route.level)
    )


def status_label(t: Lang, request: PensionRequest) -> str:
    """A request's status as people read it."""
    return t(f"pension.status_{request.status.value}")


def card_text(rt: Runtime, t: Lang, view: RequestView) -> str:
    """A home-visit request as staff receive it: everything needed to go and help."""
    request = view.request
    lines = [
        t("pension.card_title", number=request.number),
        t("pension.card_person", name=request.person_name, id4=request.id_last4),
    ]
    lines.append(
        t("pension.card_requester_self")
        if request.for_self
        else t("pension.card_requester_family", name=request.requester_name)
    )
    lines.append(t("pension.card_phone", phone=request.phone))
    if view.micro_grid is not None:
        lines.append(t("pension.card_place", micro_grid=view.micro_grid.name))
    if request.is_open and request.due_at is not None and request.level is not None:
        lines.append(
            t(
                "pension.card_status",
                status=status_label(t, request),
                level=role_name(t, request.level),
                due=local_time(rt, request.due_at),
            )
        )
    else:
        lines.append(t("pension.card_closed", status=status_label(t, request)))
    if request.visit_at is not None and request.is_open:
        lines.append(t("pension.card_visit", when=local_time(rt, request.visit_at)))
    if request.overdue:
        lines.append(t("pension.card_overdue"))
    if view.owner is not None:
        lines.append(t("pension.card_owner", name=view.owner.name))
    if request.outcome_note:
        lines.append(t("pension.card_note", note=request.outcome_note))
    return "\n".join(lines)


def _button(label: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=pack(PREFIX, *parts))


def staff_markup(t: Lang, request: PensionRequest) -> InlineKeyboardMarkup | None:
    """Schedule / Done / Could not complete while the visit is open."""
    if not request.is_open:
        return None
    return InlineKeyboardMarkup(
        [
            [_button(t("pension.button_schedule"), SCHEDULE, request.id)],
            [
                _button(t("pension.button_done"), DONE, request.id),
                _button(t("pension.button_fail"), FAIL, request.id),
            ],
        ]
    )


def day_label(t: Lang, day: date, today: date) -> str:
    """A day as a button shows it: today, tomorrow, or the date and weekday."""
    if day == today:
        return t("pension.today")
    if (day - today).days == 1:
        return t("pension.tomorrow")
    return t(
        "pension.day", month=day.month, day=day.day, weekday=t(f"pension.weekday_{day.weekday()}")
    )


def days_markup(
    rt: Runtime, t: Lang, request: PensionRequest, now: datetime
) -> InlineKeyboardMarkup:
    """The days a visit can be scheduled on, two per row, and Back."""
    today = now.astimezone(rt.config.tz).date()
    buttons = [
        _button(day_label(t, d, today), DAY, request.id, d.strftime("%Y%m%d"))
        for d in visit_days(rt.config, now)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(t("pension.button_back"), BACK, request.id)])
    return InlineKeyboardMarkup(rows)


def times_markup(
    rt: Runtime, t: Lang, request: PensionRequest, day: date, now: datetime
) -> InlineKeyboardMarkup:
    """The time slots left on `day`, and Back to the days."""
    stamp = day.strftime("%Y%m%d")
    buttons = [
        _button(slot.strftime("%H:%M"), TIME, request.id, stamp, slot.strftime("%H%M"))
        for slot in visit_times(rt.config, now, day)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([_button(t("pension.button_back"), SCHEDULE, request.id)])
    return InlineKeyboardMarkup(rows)


def parse_moment(rt: Runtime, stamp: str, hhmm: str) -> datetime | None:
    """The aware visit time a day and slot button stand for (town time)."""
    try:
        day = datetime.strptime(stamp, "%Y%m%d").date()
        slot = time(int(hhmm[:2]), int(hhmm[2:]))
    except ValueError:
        return None
    return datetime.combine(day, slot, rt.config.tz)
