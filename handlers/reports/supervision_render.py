"""How supervision (督办) and urging (催办) look: the buttons, the marks on cards, /status and
the digest, and the notices to the people concerned."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.runtime import GridContext, Runtime
from bot.texts import Lang
from handlers.callback_data import pack
from handlers.common import language_for
from handlers.format import local_time
from handlers.staff_notices import mention_notice, message
from models.outbox import Notice, Recipient
from models.permissions import Action, Actor, may
from models.reports import Report
from models.supervision import ACTIONS
from models.units import Staff
from services.supervision import Figures, Marks

SUPERVISE_PREFIX = "spv"  # 督办 #N: pick the answer time
WITHIN_PREFIX = "spw"  # the answer time picked: the instruction is asked
PROGRESS_PREFIX = "spp"  # 回复进展
URGE_PREFIX = "urg"  # 催一下
# The forced-reply questions' kinds in the one store of pending questions.
ASK_INSTRUCTION = "supervise:"  # + the answer time's index
ASK_PROGRESS = "progress"
# Overdue reports named in the digest, to supervise with /status.
DIGEST_OVERDUE = 8
DIGEST_BUTTONS = 6


def action_key(action: str) -> str:
    """The catalog key of a history step's name."""
    if action in ACTIONS:
        return f"supervise.action_{action}"
    return f"reports.action_{action}"


def supervise_button(t: Lang, report_id: int, number: str) -> InlineKeyboardButton:
    """督办 #N (`number` as people see it)."""
    return InlineKeyboardButton(
        t("supervise.button", number=number),
        callback_data=pack(SUPERVISE_PREFIX, report_id),
    )


def supervise_markup(t: Lang, report_id: int, number: str) -> InlineKeyboardMarkup:
    """The one 督办 button."""
    return InlineKeyboardMarkup([[supervise_button(t, report_id, number)]])


def supervise_rows(
    t: Lang, actor: Actor, figures: Figures | None
) -> list[list[InlineKeyboardButton]]:
    """督办 under the digest for its overdue open reports, for a cadre who may supervise."""
    if figures is None or not may(actor, Action.SUPERVISE):
        return []
    shown = list(zip(figures.overdue, figures.overdue_numbers, strict=True))[:DIGEST_BUTTONS]
    return [
        [supervise_button(t, report_id, number) for report_id, number in shown[i : i + 3]]
        for i in range(0, len(shown), 3)
    ]


def span(t: Lang, within: timedelta) -> str:
    """4小时 / 1天 …"""
    hours = int(within.total_seconds() // 3600)
    if hours and hours % 24 == 0:
        return t("supervise.days", n=hours // 24)
    if hours:
        return t("supervise.hours", n=hours)
    return t("supervise.minutes", n=int(within.total_seconds() // 60))


def within_markup(rt: Runtime, t: Lang, report_id: int) -> InlineKeyboardMarkup:
    """One button per configured answer time."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(span(t, w), callback_data=pack(WITHIN_PREFIX, report_id, i))
                for i, w in enumerate(rt.config.reports.supervise_within)
            ]
        ]
    )


def progress_markup(t: Lang, report_id: int) -> InlineKeyboardMarkup:
    """回复进展."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("supervise.progress_button"), callback_data=pack(PROGRESS_PREFIX, report_id)
                )
            ]
        ]
    )


def with_progress(
    t: Lang, markup: InlineKeyboardMarkup | None, marks: Marks | None, report_id: int
) -> InlineKeyboardMarkup | None:
    """A card's buttons with 回复进展 added while a supervision waits for its answer."""
    found = marks.supervision if marks is not None else None
    if found is None or not found.waiting:
        return markup
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    rows.append(list(progress_markup(t, report_id).inline_keyboard[0]))
    return InlineKeyboardMarkup(rows)


def urge_markup(t: Lang, report_id: int) -> InlineKeyboardMarkup:
    """催一下, on the reporter's filing confirmation."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("supervise.urge_button"), callback_data=pack(URGE_PREFIX, report_id)
                )
            ]
        ]
    )


def mark_lines(rt: Runtime, t: Lang, marks: Marks | None) -> list[str]:
    """The report's supervision and urge count, for its card and /status."""
    if marks is None:
        return []
    lines = []
    found = marks.supervision
    if found is not None:
        if found.instruction:
            lines.append(
                t(
                    "supervise.card_mark",
                    name=found.by_name,
                    instruction=found.instruction,
                    due=local_time(rt, found.due_at),
                )
            )
        else:  # read by a resident: the instruction is between staff
            lines.append(
                t(
                    "supervise.card_mark_public",
                    name=found.by_name,
                    due=local_time(rt, found.due_at),
                )
            )
        if found.answered_at is not None:
            lines.append(t("supervise.card_answered", when=local_time(rt, found.answered_at)))
        elif found.lapsed_at is not None:
            lines.append(t("supervise.card_lapsed"))
        else:
            lines.append(t("supervise.card_waiting"))
    if marks.urges:
        lines.append(t("supervise.card_urged", n=marks.urges))
    return lines


def board_mark(t: Lang, marks: Marks | None) -> str:
    """The board line's marks: 🔔督办 and 催N."""
    if marks is None:
        return ""
    mark = t("supervise.board_mark") if marks.supervision is not None else ""
    if marks.urges:
        mark += t("supervise.board_urged", n=marks.urges)
    return mark


def digest_lines(t: Lang, figures: Figures | None) -> list[str]:
    """The digest's supervision and urging figures, and the overdue reports to supervise."""
    if figures is None:
        return []
    lines = []
    if figures.supervised:
        lines.append(
            t(
                "supervise.digest_supervised",
                n=figures.supervised,
                answered=figures.answered,
                waiting=figures.waiting,
                lapsed=figures.lapsed,
            )
        )
    if figures.urged:
        lines.append(t("supervise.digest_urged", n=figures.urged, times=figures.urgings))
    if figures.overdue:
        numbers = "、".join(figures.overdue_numbers[:DIGEST_OVERDUE])
        more = "…" if len(figures.overdue) > DIGEST_OVERDUE else ""
        lines.append(t("supervise.digest_overdue", numbers=numbers + more))
    return lines


def subject_of(report_id: int) -> str:
    """The outbox subject of a report's notices (as the report loop names it)."""
    return f"report:{report_id}"


async def staff_message(
    context: GridContext,
    key: str,
    report: Report,
    person: Staff,
    text_key: str,
    markup: bool = False,
    **values: object,
) -> Notice | None:
    """A private notice to a staff member about the report, in their language, with a
    mention in the micro-grid's group as the fallback (`markup`: the 回复进展 button)."""
    if person.tg_user_id is None:
        return None
    t = await language_for(context, person.tg_user_id)
    subject = subject_of(report.id)
    fallback = await mention_notice(
        context,
        f"{key}:mention:{person.id}",
        subject,
        report.micro_grid_id,
        person,
        "supervise.mention",
        report.seen_by(None).number,  # in the micro-grid's group: the town's form
    )
    return message(
        f"{key}:staff:{person.id}",
        person.tg_user_id,
        t(text_key, number=report.seen_by(person.level).number, **values),
        Recipient.STAFF,
        subject,
        progress_markup(t, report.id) if markup else None,
        staff_id=person.id,
        fallback=fallback,
    )
