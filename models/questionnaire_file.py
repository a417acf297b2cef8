"""Reading a questionnaire the town wrote (TOML, already parsed): every mistake, named clearly.

Each error names the questionnaire, the question (id and position) and the field, so the
town office can fix its file without reading code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.questionnaire import Question, Questionnaire, QuestionType
from models.questionnaire_fields import (
    QUESTION_FIELDS,
    QUESTION_ID,
    QUESTIONNAIRE_ID,
    TOP_FIELDS,
    Categories,
    Problems,
    check_bounds,
    check_condition,
    check_options,
    check_report,
    check_text,
)


class QuestionnaireError(ValueError):
    """The questionnaire file has mistakes; `problems` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_questionnaire(
    data: Mapping[str, Any], source: str, categories: Categories = ()
) -> Questionnaire:
    """Validate a parsed questionnaire file; QuestionnaireError lists every mistake."""
    raw_id = data.get("id")
    problems = Problems(raw_id if isinstance(raw_id, str) and raw_id else "?", source)
    for key in sorted(set(data) - TOP_FIELDS):
        problems.add("", key, "unknown field")
    if not isinstance(raw_id, str) or not QUESTIONNAIRE_ID.match(raw_id):
        problems.add("", "id", 'expected a short Latin name like "default" or "2026-spring"')
    title = check_text(data.get("title"), "", "title", problems, limit=100)
    intro = check_text(data.get("intro"), "", "intro", problems, required=False)
    raw_questions = data.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.add("", "questions", "expected at least one [[questions]] table")
    else:
        for index, raw in enumerate(raw_questions, start=1):
            question = _question(raw, index, questions, categories, problems)
            if question is not None:
                questions.append(question)
    report = None
    if "report" in data:
        report = check_report(data["report"], questions, categories, problems)
    if problems.found or title is None:
        raise QuestionnaireError(problems.found or ["questionnaire: invalid"])
    return Questionnaire(
        id=str(raw_id), title=title, intro=intro, questions=tuple(questions), report=report
    )


def _question(
    raw: Any, index: int, earlier: list[Question], categories: Categories, problems: Problems
) -> Question | None:
    if not isinstance(raw, Mapping):
        problems.add(f"question #{index}", "questions", "expected a table")
        return None
    qid = raw.get("id")
    where = f'question "{qid}" (#{index})' if isinstance(qid, str) else f"question #{index}"
    before = len(problems.found)
    for key in sorted(set(raw) - QUESTION_FIELDS):
        problems.add(where, key, "unknown field")
    if not isinstance(qid, str) or not QUESTION_ID.match(qid):
        problems.add(where, "id", 'expected a short Latin name like "satisfaction"')
    elif any(q.id == qid for q in earlier):
        problems.add(where, "id", "used by an earlier question")
    raw_type = raw.get("type")
    kinds = ", ".join(t.value for t in QuestionType)
    if raw_type not in {t.value for t in QuestionType}:
        problems.add(where, "type", f"expected one of {kinds}, got {raw_type!r}")
        return None
    kind = QuestionType(raw_type)
    text = check_text(raw.get("text"), where, "text", problems)
    required = raw.get("required", True)
    if not isinstance(required, bool):
        problems.add(where, "required", "expected true or false")
    options = check_options(raw, kind, where, categories, problems)
    low, high = check_bounds(raw, kind, where, problems)
    max_length = raw.get("max_length", 500)
    if "max_length" in raw and kind is not QuestionType.TEXT:
        problems.add(where, "max_length", "only for text questions")
    elif (
        not isinstance(max_length, int)
        or isinstance(max_length, bool)
        or not (1 <= max_length <= 2000)
    ):
        problems.add(where, "max_length", "expected a whole number from 1 to 2000")
    show_if = check_condition(raw.get("show_if"), earlier, where, "show_if", problems)
    invalid = check_text(raw.get("invalid"), where, "invalid", problems, required=False)
    if len(problems.found) > before or text is None:
        return None
    return Question(
        id=qid,
        type=kind,
        text=text,
        required=required,
        options=options,
        min=low,
        max=high,
        max_length=max_length,
        show_if=show_if,
        invalid=invalid,
    )
