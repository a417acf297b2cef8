"""Questionnaires (问卷调查): questions, which are shown, and what counts as a valid answer.

A questionnaire is read from the town's TOML file (models/questionnaire_file.py). Answers are
kept as plain JSON values while a person answers: the option value (single), a list of option
values (multiple), 1-5 (rating), "yes"/"no" (yes_no), a number, or a text.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

Localized = dict[str, str]
Answers = dict[str, Any]

DEFAULT_LANGUAGE = "zh"
YES, NO = "yes", "no"
RATINGS = (1, 2, 3, 4, 5)
_YES_WORDS = {"是", "是的", "有", "对", "好", "要", "yes", "y", "ok"}
_NO_WORDS = {"否", "不是", "没有", "无", "不", "不要", "没", "no", "n"}
_RATING = re.compile(r"^([1-5])\s*(分|星|颗星)?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def localized(text: Localized, language: str) -> str:
    """The text in `language`, or in the default language when it has none."""
    return text.get(language) or text[DEFAULT_LANGUAGE]


class QuestionType(StrEnum):
    """How a question is answered."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    RATING = "rating"
    YES_NO = "yes_no"
    NUMBER = "number"
    TEXT = "text"


# Answered by pressing buttons (typed answers are understood for all but `multiple`).
BUTTON_TYPES = frozenset(
    {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RATING, QuestionType.YES_NO}
)


class Option(BaseModel):
    """One choice of a single- or multiple-choice question."""

    model_config = ConfigDict(frozen=True)

    value: str
    label: Localized


class Condition(BaseModel):
    """Shown only when an earlier answer is one of `values` (for multiple: includes one)."""

    model_config = ConfigDict(frozen=True)

    question: str
    values: tuple[str, ...]


class Question(BaseModel):
    """One question of a questionnaire."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: QuestionType
    text: Localized
    required: bool = True
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int = 500
    show_if: Condition | None = None
    invalid: Localized | None = None

    def button_values(self) -> tuple[Any, ...]:
        """The answer each button stands for, in button order."""
        if self.type is QuestionType.RATING:
            return RATINGS
        if self.type is QuestionType.YES_NO:
            return (YES, NO)
        return tuple(o.value for o in self.options)

    def option(self, value: Any) -> Option | None:
        """The option with this value."""
        return next((o for o in self.options if o.value == value), None)


class ReportLink(BaseModel):
    """Which answers file a report: when `when` holds, with this category and description."""

    model_config = ConfigDict(frozen=True)

    when: Condition
    category: str
    description: str


class Questionnaire(BaseModel):
    """A whole questionnaire as the town wrote it."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: Localized
    intro: Localized | None = None
    questions: tuple[Question, ...]
    report: ReportLink | None = None

    def question(self, question_id: str) -> Question | None:
        """The question with this id."""
        return next((q for q in self.questions if q.id == question_id), None)


class BadAnswer(ValueError):
    """An answer the question does not accept; `reason` names the catalog message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _as_strings(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    return set() if value is None else {str(value)}


def holds(condition: Condition, answers: Answers) -> bool:
    """Whether an earlier answer matches the condition."""
    return bool(_as_strings(answers.get(condition.question)) & set(condition.values))


def visible(question: Question, answers: Answers) -> bool:
    """Whether the question is asked, given the answers so far."""
    return question.show_if is None or holds(question.show_if, answers)


def next_index(questionnaire: Questionnaire, answers: Answers, after: int) -> int | None:
    """The index of the next question to ask after index `after` (-1: from the start)."""
    for index in range(after + 1, len(questionnaire.questions)):
        if visible(questionnaire.questions[index], answers):
            return index
    return None


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_typed(question: Question, raw: str) -> Any:
    """The answer a typed message gives to `question`, or BadAnswer."""
    text = _clean(raw)
    kind = question.type
    if kind is QuestionType.MULTIPLE:
        raise BadAnswer("use_buttons")
    if kind is QuestionType.RATING:
        match = _RATING.match(text)
        if not match:
            raise BadAnswer("rating")
        return int(match.group(1))
    if kind is QuestionType.YES_NO:
        word = text.lower().rstrip("。.!！")
        if word in _YES_WORDS:
            return YES
        if word in _NO_WORDS:
            return NO
        raise BadAnswer("yes_no")
    if kind is QuestionType.SINGLE:
        return _typed_choice(question, text.lower())
    if kind is QuestionType.NUMBER:
        return _number(question, text)
    # Free text is kept as written (NFKC would turn Chinese punctuation into ASCII).
    written = raw.strip()
    if not written:
        raise BadAnswer("text_empty")
    if len(written) > question.max_length:
        raise BadAnswer("text_long")
    return written


def _typed_choice(question: Question, text: str) -> str:
    if text.isdigit() and 1 <= int(text) <= len(question.options):
        return question.options[int(text) - 1].value
    for option in question.options:
        names = {option.value.lower(), *(label.lower() for label in option.label.values())}
        if text in names:
            return option.value
    raise BadAnswer("choice")


def _number(question: Question, text: str) -> int | float:
    compact = text.replace(",", "").replace(" ", "")
    if not _NUMBER.match(compact):
        raise BadAnswer("number")
    number = float(compact)
    if (question.min is not None and number < question.min) or (
        question.max is not None and number > question.max
    ):
        raise BadAnswer("range")
    return int(number) if number.is_integer() else number


def toggle(question: Question, picked: list[str], index: int) -> list[str]:
    """The multiple-choice selection after pressing option `index`, in option order."""
    value = question.options[index].value
    chosen = set(picked) ^ {value}
    return [o.value for o in question.options if o.value in chosen]


def finish_multiple(question: Question, picked: list[str]) -> list[str] | None:
    """The answer when Done is pressed: the picks, None for a skipped optional one."""
    if picked:
        return picked
    if question.required:
        raise BadAnswer("pick_one")
    return None


def report_of(questionnaire: Questionnaire, answers: Answers) -> tuple[str, str] | None:
    """(category, description) when the answers ask for a report to be filed."""
    link = questionnaire.report
    if link is None or not holds(link.when, answers):
        return None
    category, description = answers.get(link.category), answers.get(link.description)
    if not isinstance(category, str) or not isinstance(description, str):
        return None
    return category, description


def shown_answer(question: Question, value: Any, language: str) -> str:
    """An answer as the person reads it back."""
    if isinstance(value, list):
        return "、".join(shown_answer(question, v, language) for v in value)
    option = question.option(value)
    if option is not None:
        return localized(option.label, language)
    return str(value)
