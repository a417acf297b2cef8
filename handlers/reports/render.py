"""How reports look in messages and which buttons they carry."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Config
from bot.runtime import Runtime
from bot.texts import Html, Lang
from handlers.callback_data import pack
from handlers.format import local_time, role_name
from handlers.reports.supervision_render import action_key, mark_lines
from models.reports import Move, Report, Status
from models.satisfaction import RATING_CODES
from models.text_limits import shorten
from models.units import Level, Unit
from services.reports.attachments import markers
from services.reports.views import ReportView

MOVE_CODES = {
    Move.ACCEPT: "acc",
    Move.RESOLVE: "res",
    Move.ESCALATE: "esc",
    Move.CONFIRM: "cfm",
    Move.REOPEN: "reo",
    Move.DUPLICATE: "dup",
    Move.REJECT: "rej",
    Move.HOUSEHOLD_CONFIRM: "hcf",
    Move.HOUSEHOLD_REOPEN: "hro",
}
MOVES_BY_CODE = {code: move for move, code in MOVE_CODES.items()}
MOVE_PREFIX = "r"
CATEGORY_PREFIX = "rc"
ME_TOO_PREFIX = "rm"
RATE_PREFIX = "rs"  # the call-back answered by the person asked
RECORD_PREFIX = "rw"  # the call-back recorded by the worker on the household's word


def category_label(config: Config, t: Lang, code: str) -> str:
    """A category's name in the reader's language."""
    category = config.category(code)
    return category.label(t.code) if category else code


def status_label(t: Lang, status: Status) -> str:
    """A status's name in the reader's language."""
    return t(f"reports.status_{status.value}")


def level_label(t: Lang, level: Level) -> str:
    """Who works at a level (e.g. "三级网格员")."""
    return role_name(t, level)


def move_button(t: Lang, move: Move, report: Report) -> InlineKeyboardButton:
    """One button that makes `move` on the report."""
    return InlineKeyboardButton(
        t(f"reports.button_{move.value}"),
        callback_data=pack(MOVE_PREFIX, MOVE_CODES[move], report.id),
    )


def staff_buttons(t: Lang, report: Report) -> InlineKeyboardMarkup | None:
    """Accept / Resolve / Escalate (and Duplicate / Reject) for what the status allows."""
    if report.status not in (Status.NEW, Status.ACCEPTED):
        return None
    first = [Move.ACCEPT] if report.status is Status.NEW else []
    first.append(Move.RESOLVE)
    if report.level.parent is not None:
        first.append(Move.ESCALATE)
    rows = [
        [move_button(t, m, report) for m in first],
        [move_button(t, m, report) for m in (Move.DUPLICATE, Move.REJECT)],
    ]
    return InlineKeyboardMarkup(rows)


def resident_buttons(t: Lang, report: Report) -> InlineKeyboardMarkup:
    """Confirm / Reopen on a resolution notice."""
    return InlineKeyboardMarkup(
        [[move_button(t, Move.CONFIRM, report), move_button(t, Move.REOPEN, report)]]
    )


def household_word_buttons(t: Lang, report: Report) -> InlineKeyboardMarkup:
    """The household confirms / says it is not solved, recorded by its worker (代报)."""
    return InlineKeyboardMarkup(
        [
            [
                move_button(t, Move.HOUSEHOLD_CONFIRM, report),
                move_button(t, Move.HOUSEHOLD_REOPEN, report),
            ]
        ]
    )


def me_too_markup(t: Lang, report: Report) -> InlineKeyboardMarkup:
    """The 我也遇到 button under a filing confirmation."""
    data = pack(ME_TOO_PREFIX, report.id)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("satisfaction.button_me_too"), callback_data=data)]]
    )


def rating_markup(t: Lang, report: Report, for_household: bool = False) -> InlineKeyboardMarkup:
    """满意 / 基本满意 / 不满意 for the person asked (or for the worker, on their word)."""
    prefix = RECORD_PREFIX if for_household else RATE_PREFIX
    label = "satisfaction.owner_button_" if for_household else "satisfaction.button_"
    row = [
        InlineKeyboardButton(
            t(f"{label}{rating.value}"), callback_data=pack(prefix, report.id, code)
        )
        for rating, code in RATING_CODES.items()
    ]
    return InlineKeyboardMarkup([row])


def category_buttons(config: Config, t: Lang, draft_id: int) -> InlineKeyboardMarkup:
    """One button per configured category, two per row."""
    buttons = [
        InlineKeyboardButton(c.label(t.code), callback_data=pack(CATEGORY_PREFIX, draft_id, c.code))
        for c in config.categories
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def staff_card(rt: Runtime, t: Lang, view: ReportView) -> str:
    """The report as a worker receives it: everything needed to act."""
    report = view.report
    lines = [
        t(
            "reports.card_title",
            number=report.number,
            category=category_label(rt.config, t, report.category),
        ),
        t("reports.card_place", group=view.group_title or "—", micro_grid=view.micro_grid.name),
        t("reports.card_reporter", name=report.reporter_name),
    ]
    if view.recorder is not None:
        where = t(f"onbehalf.collected_{report.collected_on or 'none'}")
        lines.append(t("onbehalf.card_recorded", name=view.recorder.name, where=where))
    if view.household_phone:
        lines.append(t("reports.card_phone", phone=view.household_phone))
    lines.append(t("reports.card_text", text=report.description))
    if view.attachments:
        lines.append(markers(t, view.attachments, with_coordinates=True))
    lines.append(
        t(
            "reports.card_status",
            status=status_label(t, report.status),
            level=level_label(t, report.level),
            filed=local_time(rt, report.created_at),
        )
    )
    if report.overdue:
        lines.append(t("reports.card_overdue"))
    lines += _callback_lines(t, view)
    if view.owner is not None:
        lines.append(t("reports.card_owner", name=view.owner.name))
    lines += mark_lines(rt, t, view.marks)
    return "\n".join(lines)


def _callback_lines(t: Lang, view: ReportView) -> list[str]:
    """How many households have it too, and whether it waits for supervision."""
    lines = []
    if view.affected:
        lines.append(t("satisfaction.card_affected", count=view.affected))
    if view.report.supervision_wanted:
        lines.append(t("satisfaction.card_supervision"))
    return lines


def short_line(rt: Runtime, t: Lang, report: Report) -> str:
    """One line per report in lists."""
    text = shorten(report.description, 30)
    return t(
        "reports.list_line",
        number=report.number,
        text=text,
        status=status_label(t, report.status),
        when=local_time(rt, report.updated_at),
    )


def history(rt: Runtime, t: Lang, view: ReportView, unit: Unit | None = None) -> str:
    """A report and its history, for /status."""
    report = view.report
    lines = [
        t(
            "reports.card_title",
            number=report.number,
            category=category_label(rt.config, t, report.category),
        ),
        t("reports.card_text", text=report.description),
    ]
    if view.attachments:
        lines.append(markers(t, view.attachments))
    lines.append(
        t(
            "reports.card_status",
            status=status_label(t, report.status),
            level=level_label(t, report.level),
            filed=local_time(rt, report.created_at),
        )
    )
    lines += _callback_lines(t, view)
    if view.owner is not None:
        lines.append(t("reports.card_owner", name=view.owner.name))
    lines += mark_lines(rt, t, view.marks)
    for event in view.events:
        who = event.staff_name or t(
            "reports.actor_resident" if event.actor.startswith("tg:") else "reports.actor_system"
        )
        note = t("reports.history_note", note=event.note) if event.note else ""
        lines.append(
            t(
                "reports.history_line",
                when=local_time(rt, event.at),
                action=t(action_key(event.action)),
                who=who,
                note=Html(note),
            )
        )
    if view.failed:
        lines.append(t("outbox.failed_title"))
    for notice, name in view.failed:
        who = name or t(f"outbox.to_{notice.recipient.value}")
        lines.append(
            t("outbox.failed_line", when=local_time(rt, notice.at), who=who, reason=notice.error)
        )
    return "\n".join(lines)
