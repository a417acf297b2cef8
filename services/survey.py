"""The questionnaire: who may answer, which round it is, and storing a finished one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, households_link
from bot.storage import cases as case_store
from bot.storage import survey as store
from bot.storage.db import Database
from models.contacts import Household as ListedHousehold
from models.errors import Refusal
from models.permissions import Actor
from models.questionnaire import Questionnaire, report_of
from models.units import Household
from services.effects import Then
from services.reports import filing, onbehalf
from services.reports.filing import Filed


@dataclass(frozen=True)
class Round:
    """A survey round: one answer per household between two days (town time)."""

    code: str
    start: date
    end: date


@dataclass(frozen=True)
class Opening:
    """A household may answer now: who, and in which round."""

    household: Household
    round: Round


@dataclass(frozen=True)
class Submitted:
    """A stored questionnaire and the report it filed, if any."""

    response_id: int
    filed: Filed | None


def current_round(config: Config, now: datetime) -> Round | None:
    """The round open today (town time): a configured one, else the calendar quarter."""
    today = now.astimezone(config.tz).date()
    rounds = config.flows.survey.rounds
    if rounds:
        return next(
            (Round(r.code, r.start, r.end) for r in rounds if r.start <= today <= r.end), None
        )
    quarter = (today.month - 1) // 3
    start = date(today.year, quarter * 3 + 1, 1)
    end = date(today.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
    return Round(f"{today.year}Q{quarter + 1}", start, date.fromordinal(end.toordinal() - 1))


def _local(config: Config, when: datetime) -> str:
    return when.astimezone(config.tz).strftime("%Y-%m-%d %H:%M")


async def _household(db: Database, config: Config, tg_user_id: int, round_code: str) -> Household:
    household = await households_link.household_of(db, tg_user_id)
    if household is None:
        raise Refusal("survey.need_link")
    await _not_answered(db, config, household.id, round_code)
    return household


async def _not_answered(db: Database, config: Config, household_id: int, round_code: str) -> None:
    """Refuse when the household answered this round: one answer per household per round,
    the first stands, whether the household or its worker (代填) gave it."""
    answered = await store.response_of(db, round_code, household_id)
    if answered is None:
        return
    when = _local(config, answered.submitted_at)
    if answered.entered_by_staff_id is not None:
        raise Refusal("onbehalf.survey_entered", when=when, round=round_code)
    raise Refusal("survey.already", when=when, round=round_code)


@dataclass(frozen=True)
class EnteredBy:
    """A worker entering the questionnaire for a household (代填), and where (a visit …)."""

    actor: Actor
    household_id: int
    collected_on: str | None


@dataclass(frozen=True)
class WorkerOpening:
    """A worker may enter the household's questionnaire now: which household, which round."""

    household: ListedHousehold
    round: Round


async def opening_for(
    db: Database, clock: Clock, config: Config, entered_by: EnteredBy, press_id: str | None = None
) -> WorkerOpening | None:
    """The household and round a worker enters the questionnaire for, or why not: only the
    household's own workers, once per household per round. None: the same press again."""
    async with db.transaction():
        if press_id is not None and not await case_store.claim_press(db, press_id, clock.now()):
            return None
        household = await onbehalf.may_file_for(db, entered_by.actor, entered_by.household_id)
        await onbehalf.check_collected(
            db, clock, entered_by.actor, household, entered_by.collected_on
        )
        found = current_round(config, clock.now())
        if found is None:
            raise Refusal("survey.no_round")
        await _not_answered(db, config, household.id, found.code)
        return WorkerOpening(household=household, round=found)


async def opening(db: Database, clock: Clock, config: Config, tg_user_id: int) -> Opening:
    """The household and round this person answers for, or why they cannot."""
    async with db.transaction():
        if await households_link.household_of(db, tg_user_id) is None:
            raise Refusal("survey.need_link")
        found = current_round(config, clock.now())
        if found is None:
            raise Refusal("survey.no_round")
        household = await _household(db, config, tg_user_id, found.code)
        return Opening(household=household, round=found)


async def submit(
    db: Database,
    clock: Clock,
    config: Config,
    questionnaire: Questionnaire,
    *,
    round_code: str,
    tg_user_id: int,
    name: str,
    answers: dict[str, Any],
    chat_id: int,
    report_message_id: int | None,
    entered_by: EnteredBy | None = None,
    then: Then[Filed] | None = None,
) -> Submitted:
    """Store a finished questionnaire and, when it asks for one, file its report (atomically).
    `entered_by`: a worker entered it for the household, and the report is the household's.
    `then` (the caller's notices of the report filed) runs in the same transaction."""
    async with db.transaction():
        household_for = None
        if entered_by is None:
            household: Household | ListedHousehold = await _household(
                db, config, tg_user_id, round_code
            )
        else:
            household = await onbehalf.may_file_for(db, entered_by.actor, entered_by.household_id)
            await _not_answered(db, config, household.id, round_code)
            household_for = onbehalf.for_household(
                entered_by.actor, household, entered_by.collected_on
            )
            name = household.head_name
        filed = None
        wanted = report_of(questionnaire, answers)
        if wanted is not None and report_message_id is not None:
            category, description = wanted
            filed = await filing.file_complete(
                db,
                clock,
                config,
                chat_id=chat_id,
                message_id=report_message_id,
                tg_user_id=tg_user_id,
                name=name,
                category=category,
                description=description,
                private=True,
                for_household=household_for,
            )
        now = to_ts(clock.now())
        values = [(q.id, q.type.value, answers.get(q.id)) for q in questionnaire.questions]
        response_id = await store.add_response(
            db,
            round_code,
            questionnaire.id,
            household.id,
            household.micro_grid_id,
            tg_user_id,
            filed.report.id if filed else None,
            now,
            values,
            household_for.staff_id if household_for is not None else None,
        )
        if response_id is None:
            raise Refusal("survey.already", when="", round=round_code)
        staff = entered_by.actor.staff if entered_by is not None else None
        await audit.record(
            db,
            now,
            f"staff:{staff.code}" if staff is not None else f"tg:{tg_user_id}",
            "survey.submit_for" if staff is not None else "survey.submit",
            "survey_response",
            response_id,
            round=round_code,
            household=household.code,
        )
        if filed is not None and then is not None:
            await then(filed)
    return Submitted(response_id=response_id, filed=filed)
