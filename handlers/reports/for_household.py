"""Filing for a household (代报, 代填): the buttons that start it and what the household is
told. Kept apart from the entry points (handlers.reports.onbehalf) so the questionnaire's
flow can use them without importing the household flows."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.runtime import GridContext
from bot.texts import Lang
from handlers.callback_data import BadCallbackData, pack
from handlers.reports.render import category_label
from handlers.staff_notices import message
from models.contacts import LogKind
from models.outbox import Notice, Recipient
from models.reports import Report
from services.reports import onbehalf

PREFIX = "ob"
# The questionnaire entered for a household (代填): sq:<household>:<v|c|n>, a flow's entry.
SURVEY_PREFIX = "sq"
# Where the problem was collected, in callback data.
COLLECTED = {"v": LogKind.VISIT.value, "c": LogKind.CONTACT.value, "n": None}
_CODE = {value: code for code, value in COLLECTED.items()}


def start_button(t: Lang, household_id: int, collected_on: str | None) -> InlineKeyboardButton:
    """File a report for this household (collected on a visit or contact, or not)."""
    return InlineKeyboardButton(
        t("onbehalf.button_file"),
        callback_data=pack(PREFIX, "s", household_id, _CODE[collected_on]),
    )


def survey_button(t: Lang, household_id: int, collected_on: str | None) -> InlineKeyboardButton:
    """Enter this round's questionnaire for the household (代填)."""
    return InlineKeyboardButton(
        t("onbehalf.button_survey"),
        callback_data=pack(SURVEY_PREFIX, household_id, _CODE[collected_on]),
    )


def for_household_buttons(
    t: Lang, household_id: int, collected_on: str | None
) -> InlineKeyboardMarkup:
    """Report a problem for the household, or enter its questionnaire."""
    return InlineKeyboardMarkup(
        [
            [start_button(t, household_id, collected_on)],
            [survey_button(t, household_id, collected_on)],
        ]
    )


def parse_collected(code: str) -> str | None:
    """Where it was collected, from its callback-data code."""
    if code not in COLLECTED:
        raise BadCallbackData(code)
    return COLLECTED[code]


async def household_notices(context: GridContext, report: Report) -> list[Notice | None]:
    """What the household is told of a report filed for it: privately to its linked resident,
    else in its micro-grid's group — the number and the category only, no personal data."""
    rt = context.rt
    where = await onbehalf.household_chat(rt.db, report)
    if where.chat_id is None:
        return []
    t = rt.lang(None)
    category = category_label(rt.config, t, report.category)
    key = "onbehalf.told_private" if where.private else "onbehalf.told_group"
    recipient = Recipient.RESIDENT if where.private else Recipient.GROUP
    return [
        message(
            f"report:{report.id}:filed:household",
            where.chat_id,
            t(key, number=report.number, category=category),
            recipient,
            f"report:{report.id}",
        )
    ]
