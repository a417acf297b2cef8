"""How questionnaire questions look: their text, hints, buttons, and answers read back."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import Lang
from handlers.callback_data import pack
from models.questionnaire import (
    YES,
    BadAnswer,
    Question,
    Questionnaire,
    QuestionType,
    localized,
    shown_answer,
)

PREFIX = "sv"
ANSWER, TOGGLE, DONE, SKIP = "a", "t", "d", "s"


def _range(question: Question) -> str:
    low = f"{question.min:g}" if question.min is not None else None
    high = f"{question.max:g}" if question.max is not None else None
    if low and high:
        return f"{low}–{high}"
    if low:
        return f"≥ {low}"
    return f"≤ {high}" if high else ""


def question_text(t: Lang, questionnaire: Questionnaire, index: int) -> str:
    """A question with its number and a hint on how to answer."""
    question = questionnaire.questions[index]
    lines = [
        t(
            "survey.question",
            number=index + 1,
            total=len(questionnaire.questions),
            text=localized(question.text, t.code),
        )
    ]
    hint = {
        QuestionType.RATING: t("survey.hint_rating"),
        QuestionType.MULTIPLE: t("survey.hint_multiple"),
        QuestionType.NUMBER: t("survey.hint_number_range", range=_range(question))
        if _range(question)
        else t("survey.hint_number"),
        QuestionType.TEXT: t("survey.hint_text", limit=question.max_length),
    }.get(question.type)
    if hint:
        lines.append(hint)
    if not question.required:
        lines.append(t("survey.hint_optional"))
    return "\n".join(lines)


def button_label(t: Lang, question: Question, value: Any) -> str:
    """The label of the button that stands for `value`."""
    if question.type is QuestionType.YES_NO:
        return t("survey.yes") if value == YES else t("survey.no")
    if question.type is QuestionType.RATING:
        return str(value)
    return shown_answer(question, value, t.code)


def answer_text(t: Lang, question: Question, value: Any) -> str:
    """An answer read back to the person."""
    if value is None:
        return t("survey.skipped")
    if isinstance(value, list):
        return t("survey.list_separator").join(button_label(t, question, v) for v in value)
    return button_label(t, question, value)


def keyboard(
    t: Lang, question: Question, index: int, picked: list[str] | None = None
) -> InlineKeyboardMarkup | None:
    """The buttons of a question: choices (toggles and Done for multiple), Skip if optional."""
    rows: list[list[InlineKeyboardButton]] = []
    values = question.button_values()
    if question.type is QuestionType.MULTIPLE:
        chosen = set(picked or [])
        for n, value in enumerate(values):
            mark = "☑" if value in chosen else "☐"
            rows.append(
                [
                    InlineKeyboardButton(
                        f"{mark} {button_label(t, question, value)}",
                        callback_data=pack(PREFIX, TOGGLE, index, n),
                    )
                ]
            )
        rows.append(
            [InlineKeyboardButton(t("survey.button_done"), callback_data=pack(PREFIX, DONE, index))]
        )
    elif question.type in (QuestionType.RATING, QuestionType.YES_NO):
        rows.append(
            [
                InlineKeyboardButton(
                    button_label(t, question, v), callback_data=pack(PREFIX, ANSWER, index, n)
                )
                for n, v in enumerate(values)
            ]
        )
    elif question.type is QuestionType.SINGLE:
        buttons = [
            InlineKeyboardButton(
                button_label(t, question, v), callback_data=pack(PREFIX, ANSWER, index, n)
            )
            for n, v in enumerate(values)
        ]
        rows.extend(buttons[i : i + 2] for i in range(0, len(buttons), 2))
    if not question.required and question.type is not QuestionType.MULTIPLE:
        rows.append(
            [InlineKeyboardButton(t("survey.button_skip"), callback_data=pack(PREFIX, SKIP, index))]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def invalid_text(t: Lang, question: Question, bad: BadAnswer) -> str:
    """Why an answer was not taken: the questionnaire's own message, or ours for the type."""
    if question.invalid is not None and bad.reason not in ("use_buttons", "pick_one"):
        return localized(question.invalid, t.code)
    return t(f"survey.invalid_{bad.reason}", range=_range(question), limit=question.max_length)
