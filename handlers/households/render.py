"""How the household flows look: questions, lists and their buttons."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.texts import Lang
from handlers.callback_data import pack
from models.contacts import OUTCOMES, Household, LogKind, mask_address
from models.periods import local_date, quarter_months
from models.text_limits import shorten
from services.logbook_state import Flow, Page

LOG_PREFIX = "hh"
JOIN_PREFIX = "hj"
LINK_PREFIX = "hl"
# Marks a household nobody of which uses the bot ("no phone": collect in person).
NO_PHONE = "📵"
# Lists in messages stop here (a micro-grid has 10-15 households; grids have more).
LIST_LIMIT = 15


def household_label(household: Household) -> str:
    """A household as a worker sees it in lists."""
    return f"{household.head_name} · {household.address or household.micro_grid_name}"


def listed_label(t: Lang, household: Household) -> str:
    """A household in a worker's lists, marked when nobody of it uses the bot."""
    label = household_label(household)
    return label if household.linked else f"{label} · {NO_PHONE} {t('voice.no_phone')}"


def household_lines(
    t: Lang,
    households: list[Household] | tuple[Household, ...],
    limit: int = LIST_LIMIT,
    total: int | None = None,
) -> str:
    """Numbered lines of households, with "and N more" past the limit (`total`: how many
    there are when only the first few were loaded)."""
    shown = households[:limit]
    lines = [
        t("households.list_line", n=i, household=listed_label(t, h))
        for i, h in enumerate(shown, start=1)
    ]
    more = (len(households) if total is None else total) - len(shown)
    if more > 0:
        lines.append(t("households.list_more", count=more))
    return "\n".join(lines)


def cancel_button(t: Lang, draft_id: int) -> InlineKeyboardButton:
    """Leave the flow."""
    return InlineKeyboardButton(
        t("households.button_cancel"), callback_data=pack(LOG_PREFIX, "x", draft_id)
    )


def picker(t: Lang, title_key: str, draft_id: int, page: Page) -> tuple[str, InlineKeyboardMarkup]:
    """The household list of a /visit, /contact or a report for a household, one page,
    those still due marked."""
    title = t(title_key, page=page.page + 1, pages=page.pages, total=page.total)
    if page.query:
        title += "\n" + t("households.pick_query", query=page.query)
    if not page.households:
        title += "\n" + t("households.pick_none")
    title += "\n" + t("households.pick_hint")
    if not all(h.linked for h in page.households):
        title += "\n" + t("voice.no_phone_legend", mark=NO_PHONE)
    rows = []
    for household in page.households:
        mark = "⏳ " if household.id in page.due else "✔️ "
        phone = "" if household.linked else " " + NO_PHONE
        rows.append(
            [
                InlineKeyboardButton(
                    mark + shorten(household_label(household), 58) + phone,
                    callback_data=pack(LOG_PREFIX, "h", draft_id, household.id),
                )
            ]
        )
    nav = []
    if page.page > 0:
        nav.append(
            InlineKeyboardButton("◀️", callback_data=pack(LOG_PREFIX, "p", draft_id, page.page - 1))
        )
    if page.page + 1 < page.pages:
        nav.append(
            InlineKeyboardButton("▶️", callback_data=pack(LOG_PREFIX, "p", draft_id, page.page + 1))
        )
    rows.append([*nav, cancel_button(t, draft_id)])
    return title, InlineKeyboardMarkup(rows)


def outcome_question(
    t: Lang, kind: LogKind, draft_id: int, household: Household
) -> tuple[str, InlineKeyboardMarkup]:
    """How did it go / how did you get in touch."""
    buttons = [
        InlineKeyboardButton(
            t(f"households.outcome_{o.value}"),
            callback_data=pack(LOG_PREFIX, "o", draft_id, o.value),
        )
        for o in OUTCOMES[kind]
    ]
    text = t(f"households.ask_outcome_{kind.value}", household=household_label(household))
    return text, InlineKeyboardMarkup([buttons, [cancel_button(t, draft_id)]])


def _day_button(t: Lang, label: str, draft_id: int, day: date) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=pack(LOG_PREFIX, "d", draft_id, day.strftime("%Y%m%d"))
    )


def date_question(
    t: Lang, draft_id: int, household: Household, now: datetime, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """When did it happen: today, yesterday (if still this quarter), or pick."""
    today = local_date(now, tz)
    row = [_day_button(t, t("households.today", day=today.strftime("%m-%d")), draft_id, today)]
    yesterday = today - timedelta(days=1)
    if yesterday >= quarter_months(now, tz)[0]:
        row.append(
            _day_button(
                t, t("households.yesterday", day=yesterday.strftime("%m-%d")), draft_id, yesterday
            )
        )
        row.append(
            InlineKeyboardButton(
                t("households.pick_date"), callback_data=pack(LOG_PREFIX, "c", draft_id)
            )
        )
    text = t("households.ask_date", household=household_label(household))
    return text, InlineKeyboardMarkup([row, [cancel_button(t, draft_id)]])


def month_buttons(t: Lang, draft_id: int, months: list[date]) -> InlineKeyboardMarkup:
    """The months of this quarter so far."""
    row = [
        InlineKeyboardButton(
            t("households.month", year=m.year, month=m.month),
            callback_data=pack(LOG_PREFIX, "m", draft_id, m.strftime("%Y%m")),
        )
        for m in months
    ]
    return InlineKeyboardMarkup([row, [cancel_button(t, draft_id)]])


def day_buttons(t: Lang, draft_id: int, month: date, today: date) -> InlineKeyboardMarkup:
    """The days of one month up to today, a week per row."""
    last = calendar.monthrange(month.year, month.month)[1]
    days = [month.replace(day=d) for d in range(1, last + 1) if month.replace(day=d) <= today]
    buttons = [_day_button(t, str(d.day), draft_id, d) for d in days]
    rows = [buttons[i : i + 7] for i in range(0, len(buttons), 7)]
    return InlineKeyboardMarkup([*rows, [cancel_button(t, draft_id)]])


def note_question(
    t: Lang, draft_id: int, household: Household, day: str
) -> tuple[str, InlineKeyboardMarkup]:
    """An optional note."""
    text = t("households.ask_note", household=household_label(household), day=day)
    return text, InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("households.button_skip"), callback_data=pack(LOG_PREFIX, "n", draft_id)
                ),
                cancel_button(t, draft_id),
            ]
        ]
    )


def location_keyboard(t: Lang, skip: bool) -> ReplyKeyboardMarkup:
    """A keyboard with a share-my-location button (and a skip button for visits)."""
    row = [KeyboardButton(t("households.button_location"), request_location=True)]
    if skip:
        row.append(KeyboardButton(t("households.button_skip_location")))
    return ReplyKeyboardMarkup([row], resize_keyboard=True, one_time_keyboard=True)


def start_buttons(t: Lang, kinds: tuple[LogKind, ...]) -> InlineKeyboardMarkup:
    """Buttons that start logging (under reminders and /tasks)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(f"households.button_log_{k.value}"),
                    callback_data=pack(LOG_PREFIX, "s", k.value),
                )
                for k in kinds
            ]
        ]
    )


def checkin_button(t: Lang) -> InlineKeyboardMarkup:
    """A button that starts a check-in (under the weekly reminder)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("households.button_checkin"), callback_data=pack(LOG_PREFIX, "k")
                )
            ]
        ]
    )


def join_picker(
    t: Lang, requester: int, households: list[Household], page: int, size: int
) -> InlineKeyboardMarkup:
    """The households of a micro-grid for /join: head's name and a masked address only."""
    pages = max(1, -(-len(households) // size))
    page = min(max(page, 0), pages - 1)
    rows = [
        [
            InlineKeyboardButton(
                shorten(f"{h.head_name} · {mask_address(h.address)}", 60),
                callback_data=pack(JOIN_PREFIX, "h", requester, h.id),
            )
        ]
        for h in households[page * size : (page + 1) * size]
    ]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton("◀️", callback_data=pack(JOIN_PREFIX, "p", requester, page - 1))
        )
    if page + 1 < pages:
        nav.append(
            InlineKeyboardButton("▶️", callback_data=pack(JOIN_PREFIX, "p", requester, page + 1))
        )
    nav.append(
        InlineKeyboardButton(
            t("households.button_cancel"), callback_data=pack(JOIN_PREFIX, "x", requester)
        )
    )
    return InlineKeyboardMarkup([*rows, nav])


def decision_buttons(t: Lang, request_id: int) -> InlineKeyboardMarkup:
    """Approve / Decline a household link."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("households.button_approve"), callback_data=pack(LINK_PREFIX, "a", request_id)
                ),
                InlineKeyboardButton(
                    t("households.button_decline"), callback_data=pack(LINK_PREFIX, "d", request_id)
                ),
            ]
        ]
    )


def stored(t: Lang, flow: Flow) -> str:
    """What was just stored: a contact, a visit or a check-in."""
    if flow.checked_in is not None:
        placed = flow.checked_in
        where = placed.unit.name if placed.unit else ""
        if placed.placement.flagged:
            return t(
                "households.checkin_flagged",
                unit=where,
                km=f"{(placed.placement.distance_m or 0) / 1000:.1f}",
            )
        return t("households.checkin_done", unit=where, week=placed.week.key)
    saved = flow.saved
    assert saved is not None
    lines = [
        t(
            f"households.saved_{saved.kind.value}",
            household=household_label(saved.household),
            day=saved.day.isoformat(),
            outcome=t(f"households.outcome_{saved.outcome.value}"),
        )
    ]
    if saved.note:
        lines.append(t("households.saved_note", note=saved.note))
    if saved.located:
        lines.append(t("households.saved_location"))
    counts = {
        (True, True): "counts_both",
        (True, False): "counts_contact",
        (False, False): "counts_none",
        (False, True): "counts_none",
    }[saved.counts]
    lines.append(t(f"households.{counts}"))
    return "\n".join(lines)
