"""Checks of single fields of a questionnaire file: texts, options, bounds, conditions and the
report link. Each mistake is added to `Problems` with where it is and which field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from models.questionnaire import (
    DEFAULT_LANGUAGE,
    NO,
    RATINGS,
    YES,
    Condition,
    Localized,
    Option,
    Question,
    QuestionType,
    ReportLink,
)

LANGUAGES = ("zh", "en")
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
QUESTIONNAIRE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_OPTION_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")
TOP_FIELDS = {"id", "title", "intro", "questions", "report"}
QUESTION_FIELDS = {
    "id",
    "type",
    "text",
    "required",
    "options",
    "options_from",
    "min",
    "max",
    "max_length",
    "show_if",
    "invalid",
}
_CHOICE = (QuestionType.SINGLE, QuestionType.MULTIPLE)
MAX_OPTIONS = 10
MAX_TEXT = 1000
LABEL_LENGTH = 30

# (code, labels by language) of the report categories, for `options_from = "categories"`.
Categories = Sequence[tuple[str, Localized]]


class Problems:
    """The mistakes found so far, each naming the questionnaire, the place and the field."""

    def __init__(self, name: str, source: str) -> None:
        self.place = f'questionnaire "{name}" ({source})'
        self.found: list[str] = []

    def add(self, where: str, field: str, message: str) -> None:
        place = self.place + (f", {where}" if where else "")
        self.found.append(f'{place}, field "{field}": {message}')


def check_text(
    value: Any,
    where: str,
    field: str,
    problems: Problems,
    limit: int = MAX_TEXT,
    required: bool = True,
) -> Localized | None:
    if value is None:
        if required:
            problems.add(where, field, f"missing; write it at least in {DEFAULT_LANGUAGE}")
        return None
    if isinstance(value, str):
        value = {DEFAULT_LANGUAGE: value}
    if not isinstance(value, Mapping):
        problems.add(where, field, 'expected a text or a table like { zh = "…", en = "…" }')
        return None
    out: Localized = {}
    for language, text in value.items():
        if language not in LANGUAGES:
            problems.add(where, f"{field}.{language}", "unknown language; use zh or en")
        elif not isinstance(text, str) or not text.strip():
            problems.add(where, f"{field}.{language}", "expected a non-empty text")
        elif len(text) > limit:
            problems.add(where, f"{field}.{language}", f"longer than {limit} characters")
        else:
            out[language] = text.strip()
    if DEFAULT_LANGUAGE in out:
        return out
    if DEFAULT_LANGUAGE not in value:
        problems.add(where, f"{field}.{DEFAULT_LANGUAGE}", "missing")
    return None


def check_options(
    raw: Mapping[str, Any],
    kind: QuestionType,
    where: str,
    categories: Categories,
    problems: Problems,
) -> tuple[Option, ...]:
    has_options, source = "options" in raw, raw.get("options_from")
    if kind not in _CHOICE:
        for field in ("options", "options_from"):
            if field in raw:
                problems.add(where, field, "only for single and multiple questions")
        return ()
    if source is not None:
        if source != "categories":
            problems.add(where, "options_from", 'the only source is "categories"')
        elif has_options:
            problems.add(where, "options", "give either options or options_from, not both")
        return tuple(Option(value=code, label=dict(labels)) for code, labels in categories)
    items = raw.get("options")
    if not isinstance(items, list) or not items:
        problems.add(where, "options", 'expected a list of { value = "…", zh = "…" }')
        return ()
    if len(items) > MAX_OPTIONS:
        problems.add(where, "options", f"at most {MAX_OPTIONS} options")
    options: list[Option] = []
    for number, item in enumerate(items, start=1):
        field = f"options[{number}]"
        if not isinstance(item, Mapping):
            problems.add(where, field, 'expected a table like { value = "…", zh = "…" }')
            continue
        value = item.get("value")
        if not isinstance(value, str) or not _OPTION_VALUE.match(value):
            problems.add(where, f"{field}.value", 'expected a short Latin name like "roads"')
            continue
        if any(o.value == value for o in options):
            problems.add(where, f"{field}.value", f"{value!r} is used twice")
            continue
        label = check_text(
            {k: v for k, v in item.items() if k != "value"},
            where,
            field,
            problems,
            limit=LABEL_LENGTH,
        )
        if label is not None:
            options.append(Option(value=value, label=label))
    return tuple(options)


def check_bounds(
    raw: Mapping[str, Any], kind: QuestionType, where: str, problems: Problems
) -> tuple[float | None, float | None]:
    values: dict[str, float | None] = {}
    for field in ("min", "max"):
        value = raw.get(field)
        if value is None:
            values[field] = None
        elif kind is not QuestionType.NUMBER:
            problems.add(where, field, "only for number questions")
            values[field] = None
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(where, field, "expected a number")
            values[field] = None
        else:
            values[field] = float(value)
    low, high = values["min"], values["max"]
    if low is not None and high is not None and low > high:
        problems.add(where, "max", "smaller than min")
    return low, high


def _answer_values(question: Question) -> set[str]:
    if question.type is QuestionType.YES_NO:
        return {YES, NO}
    if question.type is QuestionType.RATING:
        return {str(r) for r in RATINGS}
    return {o.value for o in question.options}


def check_condition(
    raw: Any, earlier: list[Question], where: str, field: str, problems: Problems
) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or len(raw) != 1:
        problems.add(where, field, 'expected one earlier answer, like { problem = "yes" }')
        return None
    ((target, wanted),) = raw.items()
    question = next((q for q in earlier if q.id == target), None)
    if question is None:
        problems.add(where, f"{field}.{target}", "no earlier question has this id")
        return None
    if question.type in (QuestionType.NUMBER, QuestionType.TEXT):
        problems.add(
            where,
            f"{field}.{target}",
            "conditions can only follow choice, rating or yes/no questions",
        )
        return None
    wanted_list = wanted if isinstance(wanted, list) else [wanted]
    values = tuple(
        str(v) for v in wanted_list if isinstance(v, str | int) and not isinstance(v, bool)
    )
    allowed = _answer_values(question)
    unknown = [v for v in values if v not in allowed]
    if not values or len(values) != len(wanted_list) or unknown:
        problems.add(
            where,
            f"{field}.{target}",
            f"expected one of {', '.join(sorted(allowed))}, got {wanted!r}",
        )
        return None
    return Condition(question=target, values=values)


def check_report(
    raw: Any, questions: list[Question], categories: Categories, problems: Problems
) -> ReportLink | None:
    where = "report"
    if not isinstance(raw, Mapping):
        problems.add(where, "report", "expected a table")
        return None
    for key in sorted(set(raw) - {"when", "category", "description"}):
        problems.add(where, key, "unknown field")
    when = check_condition(raw.get("when"), questions, where, "when", problems)
    links: dict[str, str] = {}
    for field, kind in (("category", QuestionType.SINGLE), ("description", QuestionType.TEXT)):
        target = raw.get(field)
        question = next((q for q in questions if q.id == target), None)
        if question is None or question.type is not kind:
            problems.add(where, field, f"expected the id of a {kind.value} question")
        elif not question.required:
            problems.add(where, field, f'question "{target}" must be required')
        else:
            links[field] = question.id
    category = next((q for q in questions if q.id == links.get("category")), None)
    codes = {code for code, _ in categories}
    if category is not None and codes:
        unknown = [o.value for o in category.options if o.value not in codes]
        if unknown:
            problems.add(
                where,
                "category",
                f"options {unknown} are not report categories "
                f'({", ".join(sorted(codes))}); use options_from = "categories"',
            )
    if when is None or len(links) != 2:
        return None
    return ReportLink(when=when, category=links["category"], description=links["description"])
