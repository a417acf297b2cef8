"""Questionnaire answers: one response per household per round, one row per answered question."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from bot.clock import from_ts
from bot.storage.db import Database
from models.units import Unit


class Response(BaseModel):
    """A household's finished questionnaire in one round."""

    id: int
    round_code: str
    questionnaire: str
    household_id: int
    micro_grid_id: int
    tg_user_id: int
    report_id: int | None
    submitted_at: datetime
    entered_by_staff_id: int | None = None  # a worker entered it for the household (代填)


class AnswerRow(BaseModel):
    """One answered question of a response (for exports)."""

    response_id: int
    question_id: str
    question_type: str
    value: Any


class Average(BaseModel):
    """The mean of a rating question over the responses of a unit's subtree."""

    question_id: str
    average: float
    count: int


_COLS = (
    "id, round_code, questionnaire, household_id, micro_grid_id, tg_user_id, report_id, "
    "submitted_at, entered_by_staff_id"
)


def _response(row: Any) -> Response:
    data = dict(row)
    data["submitted_at"] = from_ts(data["submitted_at"])
    return Response(**data)


async def response_of(db: Database, round_code: str, household_id: int) -> Response | None:
    """The household's response in this round, if it answered."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM survey_responses WHERE round_code = ? AND household_id = ?",
        (round_code, household_id),
    )
    return _response(row) if row else None


async def add_response(
    db: Database,
    round_code: str,
    questionnaire: str,
    household_id: int,
    micro_grid_id: int,
    tg_user_id: int,
    report_id: int | None,
    at: int,
    values: list[tuple[str, str, Any]],
    entered_by_staff_id: int | None = None,
) -> int | None:
    """Store a finished questionnaire; None when the household already answered this round."""
    response_id = await db.execute(
        "INSERT OR IGNORE INTO survey_responses (round_code, questionnaire, household_id, "
        "micro_grid_id, tg_user_id, report_id, submitted_at, entered_by_staff_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            round_code,
            questionnaire,
            household_id,
            micro_grid_id,
            tg_user_id,
            report_id,
            at,
            entered_by_staff_id,
        ),
    )
    if not await db.scalar("SELECT changes()"):
        return None
    rows = []
    for position, (question_id, question_type, value) in enumerate(values, start=1):
        if isinstance(value, bool) or value is None:
            continue
        text, number = None, None
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, list):
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = str(value)
        rows.append((response_id, question_id, position, question_type, text, number))
    await db.executemany(
        "INSERT INTO survey_answers (response_id, question_id, position, question_type, "
        "value_text, value_num) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    return response_id


def _unit_filter(unit: Unit) -> str:
    return f"r.micro_grid_id IN (SELECT id FROM units WHERE l{int(unit.level)}_id = ?)"


async def averages(db: Database, unit: Unit, round_code: str) -> list[Average]:
    """The mean of every rating question in a round, over the responses of `unit`'s subtree."""
    rows = await db.fetchall(
        "SELECT a.question_id, AVG(a.value_num) AS average, COUNT(*) AS n "
        "FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id "
        f"WHERE r.round_code = ? AND a.question_type = 'rating' AND {_unit_filter(unit)} "
        "GROUP BY a.question_id ORDER BY a.question_id",
        (round_code, unit.id),
    )
    return [Average(question_id=r["question_id"], average=r["average"], count=r["n"]) for r in rows]


async def response_count(db: Database, unit: Unit, round_code: str) -> int:
    """How many households of `unit`'s subtree answered in this round."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM survey_responses r WHERE r.round_code = ? "
            f"AND {_unit_filter(unit)}",
            (round_code, unit.id),
        )
        or 0
    )


async def responses(
    db: Database, unit: Unit | None = None, round_code: str | None = None
) -> list[Response]:
    """Responses (of a unit's subtree, of a round), oldest first, for exports."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if unit is not None:
        where.append(_unit_filter(unit))
        params.append(unit.id)
    if round_code is not None:
        where.append("r.round_code = ?")
        params.append(round_code)
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM survey_responses r WHERE {' AND '.join(where)} ORDER BY r.id", params
    )
    return [_response(row) for row in rows]


async def answers_of(db: Database, response_ids: list[int]) -> list[AnswerRow]:
    """The answers of these responses, for exports (multiple choices as lists)."""
    if not response_ids:
        return []
    marks = ",".join("?" * len(response_ids))
    rows = await db.fetchall(
        "SELECT response_id, question_id, question_type, value_text, value_num "
        f"FROM survey_answers WHERE response_id IN ({marks}) ORDER BY response_id, position",
        response_ids,
    )
    out = []
    for r in rows:
        value: Any = r["value_num"] if r["value_num"] is not None else r["value_text"]
        if r["question_type"] == "multiple" and r["value_text"]:
            value = json.loads(r["value_text"])
        out.append(
            AnswerRow(
                response_id=r["response_id"],
                question_id=r["question_id"],
                question_type=r["question_type"],
                value=value,
            )
        )
    return out
