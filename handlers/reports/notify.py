"""Telling people about reports, as outbox rows: the workers who must act, the resident who
filed, and the refreshed buttons on every worker's copy."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.runtime import GridContext
from bot.texts import Html, Lang
from handlers import case_notices
from handlers.case_notices import CaseRenderer
from handlers.common import language_for
from handlers.reports.render import (
    household_word_buttons,
    level_label,
    rating_markup,
    resident_buttons,
    staff_buttons,
    staff_card,
)
from handlers.reports.supervise import lapsed_notices
from handlers.staff_notices import Card, Render, message
from models.attachments import send_params
from models.cases import Kind
from models.chats import addressable
from models.outbox import Notice, Recipient
from models.reports import Move, Report
from models.satisfaction import REPORTER
from models.supervision import LAPSED
from models.text_limits import MAX_CAPTION, shorten_html
from models.units import Staff
from services import cases, people, satisfaction
from services.reports import onbehalf, views
from services.reports.moves import Moved


def subject_of(report: Report) -> str:
    """The outbox subject of a report's notices."""
    return f"report:{report.id}"


async def cards(context: GridContext, report: Report) -> Render:
    """Each staff member's card of the report: their view of it, its buttons, its photo."""
    rt = context.rt

    async def render(person: Staff, t: Lang) -> Card:
        view = await views.staff_view(rt.db, report, person)
        caption = t("voice.recording_caption", number=report.number)
        follow = tuple(send_params(a, caption) for a in view.attachments)
        return Card(staff_card(rt, t, view), staff_buttons(t, report), report.photo_file_id, follow)

    return render


async def tell_staff(context: GridContext, report: Report, staff: list[Staff]) -> None:
    """Enqueue a newly filed report's notices to the staff who must act."""
    await case_notices.tell_staff(context, RENDERER, report, staff, "filed")


def resident_notice(
    key: str, report: Report, text: str, markup: InlineKeyboardMarkup | None = None
) -> Notice:
    """A notice to the resident in the chat they filed from, as a reply to their report."""
    return message(
        f"{key}:resident",
        report.source_chat_id,
        text,
        Recipient.RESIDENT,
        subject_of(report),
        markup,
        reply_to=addressable(report.source_message_id),
    )


async def refresh_notices(context: GridContext, key: str, report: Report) -> list[Notice]:
    """Edits putting the buttons allowed now on every worker's delivered copy."""
    rt = context.rt
    copies = await cases.delivered_copies(rt.db, Kind.REPORT, report.id)
    notices = []
    for _, chat_id, message_id in copies:
        t = await language_for(context, chat_id)
        params: dict[str, object] = {"message_id": message_id}
        markup = staff_buttons(t, report)
        if markup is not None:
            params["reply_markup"] = markup.to_dict()
        notices.append(
            Notice(
                f"{key}:refresh:{chat_id}:{message_id}",
                "editMessageReplyMarkup",
                chat_id,
                params,
                Recipient.STAFF,
                subject_of(report),
            )
        )
    return notices


async def card_edits(context: GridContext, key: str, report: Report) -> list[Notice]:
    """Edits putting the report's card as it reads now (the me-too count) on every worker's
    delivered copy."""
    rt = context.rt
    render = await cards(context, report)
    notices = []
    for staff_id, chat_id, message_id in await cases.delivered_copies(
        rt.db, Kind.REPORT, report.id
    ):
        person = await people.staff_by_id(rt.db, staff_id)
        if person is None:
            continue
        card = await render(person, await language_for(context, chat_id))
        params: dict[str, object] = {"message_id": message_id}
        if card.photo_file_id is None:
            method, params["text"] = "editMessageText", card.text
        else:
            method, params["caption"] = "editMessageCaption", shorten_html(card.text, MAX_CAPTION)
        if card.markup is not None:
            params["reply_markup"] = card.markup.to_dict()
        notices.append(
            Notice(
                f"{key}:card:{chat_id}:{message_id}",
                method,
                chat_id,
                params,
                Recipient.STAFF,
                subject_of(report),
            )
        )
    return notices


def resolution_markup(context: GridContext, report: Report) -> InlineKeyboardMarkup:
    """Confirm / Reopen buttons for the resident."""
    return resident_buttons(context.rt.lang(None), report)


# Moves by which the reporter or the household answers a resolution (or the sweep closes
# it for them): the owner is told, and may record the household's rating.
ANSWERS = frozenset(
    {
        Move.CONFIRM,
        Move.REOPEN,
        Move.CLOSE,
        Move.DISSATISFIED,
        Move.HOUSEHOLD_CONFIRM,
        Move.HOUSEHOLD_REOPEN,
    }
)


async def told(context: GridContext, key: str, moved: Moved) -> list[Notice | None]:
    """What the resident (and, when they confirm or reopen, the owner) is told of a move."""
    report, move = moved.after, Move(moved.move)
    notices: list[Notice | None] = []
    if report.for_household:
        notices += await _household_told(context, key, moved)
    else:
        said = _said(context, context.rt.lang(None), moved)
        if said is not None:
            notices.append(resident_notice(key, report, *said))
        if move is Move.RESOLVE:
            notices += await _affected_told(context, key, report, moved.note)
        if move in ANSWERS:
            notices += await _owner_notices(context, key, moved)
        if move in (Move.CONFIRM, Move.CLOSE):
            notices += await _callback_notices(context, key, report)
    if move is Move.ESCALATE and moved.change.action == LAPSED:
        notices += await lapsed_notices(context, key, moved)
    return notices


async def _household_told(context: GridContext, key: str, moved: Moved) -> list[Notice | None]:
    """A report filed for a household: its linked resident is told privately what a reporter
    would be; without one, the worker who recorded it is asked to check with the household."""
    rt, report, move = context.rt, moved.after, Move(moved.move)
    if move in ANSWERS:
        # After closure the household's linked resident is asked the call-back; without one,
        # the owner's notice carries the buttons to record the household's rating on its word.
        notices: list[Notice | None] = list(await _owner_notices(context, key, moved))
        if move in (Move.CONFIRM, Move.CLOSE, Move.HOUSEHOLD_CONFIRM):
            notices += await _callback_notices(context, key, report)
        return notices
    who = await onbehalf.answerer(rt.db, report)
    if who.tg_user_id is None:
        return []
    t = await language_for(context, who.tg_user_id)
    if who.resident:
        said = _said(context, t, moved)
        if said is None:
            return []
        text, markup = said
        subject = subject_of(report)
        return [
            message(f"{key}:household", who.tg_user_id, text, Recipient.RESIDENT, subject, markup)
        ]
    if move is not Move.RESOLVE:
        return []
    by = moved.by.name if moved.by else ""
    text = t("onbehalf.ask_household", number=report.number, name=by, note=moved.note)
    staff_id = who.staff.id if who.staff is not None else None
    return [
        message(
            f"{key}:household",
            who.tg_user_id,
            text,
            Recipient.STAFF,
            subject_of(report),
            household_word_buttons(t, report),
            staff_id=staff_id,
        )
    ]


def _said(
    context: GridContext, t: Lang, moved: Moved
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """What the reporter is told of a move, with the buttons that come with it."""
    report, move = moved.after, Move(moved.move)
    by = moved.by.name if moved.by else ""
    n = report.number
    if move is Move.ACCEPT:
        return t("reports.told_accepted", number=n, name=by), None
    if move is Move.RESOLVE:
        text = t("reports.told_resolved", number=n, name=by, note=moved.note)
        return text, resident_buttons(t, report)
    if move is Move.ESCALATE:
        told = "reports.told_escalated_overdue" if moved.overdue else "reports.told_escalated"
        return t(told, number=n, level=level_label(t, report.level)), None
    if move is Move.REJECT:
        return t("reports.told_rejected", number=n, note=moved.note), None
    if move is Move.DUPLICATE:
        return t("reports.told_duplicate", number=n, original=report.duplicate_number), None
    if move in _TOLD:
        return t(_TOLD[move], number=n), None
    return None


_TOLD = {
    Move.CONFIRM: "reports.told_closed",
    Move.REOPEN: "reports.told_reopened",
    Move.CLOSE: "satisfaction.told_closed_auto",
    Move.DISSATISFIED: "satisfaction.told_dissatisfied",
}


def _mention(t: Lang, tg_user_id: int, name: str) -> Html:
    return Html(t("reports.mention", user_id=tg_user_id, name=name))


async def _affected_told(context: GridContext, key: str, report: Report, note: str) -> list[Notice]:
    """Each household that has the problem too is told it is solved, where it said so."""
    t = context.rt.lang(None)
    notices = []
    for each in await satisfaction.affected(context.rt.db, report.id):
        name = _mention(t, each.tg_user_id, each.name)
        text = t("satisfaction.affected_resolved", name=name, number=report.number, note=note)
        notices.append(_in_chat(f"{key}:affected:{each.who}", report, each.chat_id, text))
    return notices


async def _callback_notices(context: GridContext, key: str, report: Report) -> list[Notice]:
    """The satisfaction call-back, once per person: the reporter, each affected household."""
    rt = context.rt
    t = rt.lang(None)
    names = {a.who: a.name for a in await satisfaction.affected(rt.db, report.id)}
    notices = []
    for asked in await satisfaction.ask_after_closure(rt.db, rt.clock, report):
        name = report.reporter_name if asked.rater == REPORTER else names.get(asked.rater, "")
        text = t("satisfaction.ask", name=_mention(t, asked.tg_user_id, name), number=report.number)
        markup = rating_markup(t, report)
        notices.append(_in_chat(f"{key}:callback:{asked.id}", report, asked.chat_id, text, markup))
    return notices


def _in_chat(
    key: str, report: Report, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Notice:
    """A notice to a resident: a reply to the report when it is in the report's chat."""
    same = chat_id == report.source_chat_id
    reply_to = addressable(report.source_message_id) if same else None
    return message(key, chat_id, text, Recipient.RESIDENT, subject_of(report), markup, reply_to)


async def _owner_notices(context: GridContext, key: str, moved: Moved) -> list[Notice]:
    report = moved.after
    if report.owner_staff_id is None:
        return []
    owner = await people.staff_by_id(context.rt.db, report.owner_staff_id)
    if owner is None or owner.tg_user_id is None:
        return []
    if moved.move in (Move.REOPEN, Move.DISSATISFIED, Move.HOUSEHOLD_REOPEN):
        return await case_notices.staff_notices_for(context, RENDERER, key, report, [owner])
    t = await language_for(context, owner.tg_user_id)
    closed = (
        "reports.owner_confirmed"
        if moved.move in (Move.CONFIRM, Move.HOUSEHOLD_CONFIRM)
        else "satisfaction.owner_closed_auto"
    )
    text = t(closed, number=report.number) + "\n" + t("satisfaction.owner_record")
    # The worker may record the household's answer on its word (it may not be in the group).
    return [
        message(
            f"{key}:owner",
            owner.tg_user_id,
            text,
            Recipient.STAFF,
            subject_of(report),
            rating_markup(t, report, for_household=True),
            staff_id=owner.id,
        )
    ]


# Reports as the case notifier tells them.
RENDERER = CaseRenderer[Report](
    "report", subject_of, "reports.mention_staff", cards, told, refresh_notices
)
