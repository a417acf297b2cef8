"""The satisfaction call-back (回访) and "me too" (我也遇到).

Other residents of the group press "me too" on a report's confirmation: their household is
counted as affected (once), told of the resolution and asked its own rating. When a report
closes (confirmed by the reporter, or closed by the sweep) the reporter and each affected
household are asked once: 满意 / 基本满意 / 不满意, then an optional comment. 不满意 reopens
the report to its owner (a counted reopen) or, past `[reports] reopen_limit_for_supervision`,
flags it for supervision. A worker may record the reporter's household's answer on its word.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import cases as case_store
from bot.storage import grid
from bot.storage import satisfaction as store
from bot.storage.db import Database
from bot.storage.households_link import household_of
from bot.storage.satisfaction import Affected, Asked
from models.cases import CaseEvent, Kind
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.reports import OPEN, Move, Report, Status
from models.satisfaction import REPORTER, Outcome, Rating, Tally, outcome, who_of
from models.units import Unit
from services import cases
from services.cases import mover_of
from services.effects import Then
from services.reports import moves, onbehalf


@dataclass(frozen=True)
class SatisfactionFigures:
    """A unit's call-back answers in a period: overall, per sub-unit, per worker (the
    reports' owners, by name), and the reports waiting for supervision."""

    period: Tally = field(default_factory=Tally)
    by_sub: dict[int, Tally] = field(default_factory=dict)
    by_worker: list[tuple[str, Tally]] = field(default_factory=list)
    supervision_wanted: list[str] = field(default_factory=list)  # report numbers (#12)


async def figures(db: Database, unit: Unit, start: datetime, end: datetime) -> SatisfactionFigures:
    """The satisfaction figures of `unit`'s subtree for [start, end) (inside a transaction)."""
    by_sub = await store.tallies(db, unit, "sub", to_ts(start), to_ts(end))
    by_owner = await store.tallies(db, unit, "owner", to_ts(start), to_ts(end))
    workers = []
    for staff_id, tally in by_owner.items():
        person = await grid.staff_by_id(db, staff_id)
        workers.append((person.name if person is not None else str(staff_id), tally))
    return SatisfactionFigures(
        period=sum(by_sub.values(), Tally()),
        by_sub=by_sub,
        by_worker=sorted(workers, key=lambda w: w[0]),
        supervision_wanted=await store.supervision_wanted(db, unit),
    )


async def worker_tallies(
    db: Database, unit: Unit, start: datetime, end: datetime
) -> dict[int, Tally]:
    """Per staff id: the call-back answers about the reports they own, given in [start, end)."""
    return await store.tallies(db, unit, "owner", to_ts(start), to_ts(end))


@dataclass(frozen=True)
class MeToo:
    """A household counted as affected, and how many are now."""

    report: Report
    count: int


@dataclass(frozen=True)
class Answered:
    """An answer recorded, and what it did to the report."""

    asked: Asked
    report: Report
    outcome: Outcome
    moved: moves.Moved | None = None  # the reopen, when it reopened


async def me_too(
    db: Database,
    clock: Clock,
    actor: Actor,
    report_id: int,
    name: str,
    chat_id: int,
    then: Then[MeToo] | None = None,
) -> MeToo:
    """Count the presser's household as affected by the report filed in this chat (`then`:
    the caller's notices of the new count, in its transaction)."""
    async with db.transaction():
        report = await moves.load(db, report_id, "satisfaction.not_yours")
        if not may(actor, Action.ME_TOO) or report.source_chat_id != chat_id:
            raise Refusal("satisfaction.me_too_residents", number=report.number)
        household = await household_of(db, actor.tg_user_id)
        household_id = household.id if household is not None else None
        same_household = household_id is not None and household_id == report.household_id
        if actor.tg_user_id == report.reporter_tg_id or same_household:
            raise Refusal("satisfaction.me_too_own", number=report.number)
        if report.status not in OPEN:
            raise Refusal("satisfaction.me_too_closed", number=report.number)
        affected = Affected(
            report_id=report.id,
            who=who_of(household_id, actor.tg_user_id),
            household_id=household_id,
            tg_user_id=actor.tg_user_id,
            name=name,
            chat_id=chat_id,
        )
        if not await store.add_affected(db, affected, clock.now()):
            raise Refusal("satisfaction.me_too_again", number=report.number)
        counted = MeToo(report, await store.affected_count(db, report.id))
        if then is not None:
            await then(counted)
        return counted


async def affected(db: Database, report_id: int) -> list[Affected]:
    """The households affected by a report (besides the reporter's)."""
    async with db.reading():
        return await store.affected_of(db, report_id)


async def affected_count(db: Database, report_id: int) -> int:
    """How many households are affected by a report (besides the reporter's)."""
    async with db.reading():
        return await store.affected_count(db, report_id)


async def ask_after_closure(db: Database, clock: Clock, report: Report) -> list[Asked]:
    """Record the call-back questions a closed report asks: the reporter and each affected
    household, each once ever (a report closed again asks nobody twice)."""
    async with db.transaction():
        now = clock.now()
        found = []
        who = await onbehalf.answerer(db, report)
        if not report.for_household:
            found.append(
                await store.ask(
                    db, report.id, REPORTER, report.reporter_tg_id, report.source_chat_id, now
                )
            )
        elif who.resident and who.tg_user_id is not None:
            # Filed for a household (代报): its linked resident answers, privately. Without one,
            # nobody is asked: the owner records the household's answer on its word.
            found.append(
                await store.ask(db, report.id, REPORTER, who.tg_user_id, who.tg_user_id, now)
            )
        for each in await store.affected_of(db, report.id):
            found.append(
                await store.ask(db, report.id, each.who, each.tg_user_id, each.chat_id, now)
            )
        return [a for a in found if a is not None]


async def _question(db: Database, actor: Actor, report: Report, for_household: bool) -> Asked:
    """The call-back question this press answers, or a refusal for anyone not asked it."""
    mine = Refusal("satisfaction.not_yours", number=report.number)
    if for_household:
        micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
        if micro_grid is None or not may(actor, Action.HANDLE_REPORT, micro_grid):
            raise mine
        asked = await store.asked(db, report.id, REPORTER)
        if asked is None and report.status is not Status.CLOSED:
            raise Refusal("satisfaction.not_closed", number=report.number)
        if asked is None:  # nobody could be asked: the worker asks on the doorstep
            asked = await store.ask(
                db,
                report.id,
                REPORTER,
                report.reporter_tg_id,
                report.source_chat_id,
                report.updated_at,
            )
        assert asked is not None
        return asked
    if not may(actor, Action.RATE_REPORT):
        raise mine
    asked_reporter = await store.asked(db, report.id, REPORTER)
    # The reporter — or, for a report filed for a household, the resident asked for it.
    rater = (
        REPORTER
        if actor.tg_user_id == report.reporter_tg_id
        or (asked_reporter is not None and asked_reporter.tg_user_id == actor.tg_user_id)
        else None
    )
    for each in await store.affected_of(db, report.id):
        if rater is None and each.tg_user_id == actor.tg_user_id:
            rater = each.who
    asked = await store.asked(db, report.id, rater) if rater is not None else None
    if asked is None or asked.tg_user_id != actor.tg_user_id:
        raise mine
    return asked


async def answer(
    db: Database,
    clock: Clock,
    config: Config,
    actor: Actor,
    report_id: int,
    rating: Rating,
    *,
    for_household: bool = False,
    press_id: str | None = None,
    then: Then[moves.Moved] | None = None,
) -> Answered | None:
    """Record `actor`'s answer to the call-back (with `for_household`: a worker records the
    reporter's household's answer on its word); 不满意 reopens or flags the report.

    A press delivered again returns None; a second answer is refused. `then` (the caller's
    notices of a reopen) runs in the answer's transaction."""
    async with db.transaction():
        now = clock.now()
        if press_id is not None and not await case_store.claim_press(db, press_id, now):
            return None
        report = await moves.load(db, report_id, "satisfaction.not_yours")
        asked = await _question(db, actor, report, for_household)
        if asked.rating is not None:
            raise Refusal("satisfaction.answered_before", number=report.number)
        by_staff = actor.staff.id if for_household and actor.staff is not None else None
        await store.rate(db, asked.id, rating, now, by_staff)
        asked = replace_rating(asked, rating, by_staff)
        limit = config.reports.reopen_limit_for_supervision
        result = outcome(rating, report.reopen_count, limit, report.status is Status.CLOSED)
        moved = None
        if result is Outcome.REOPENED:
            kind = replace(moves.REPORTS, check=_checked_here)
            moved = await cases.apply(
                db, clock, config, kind, actor, report.id, Move.DISSATISFIED, then=then
            )
            assert moved is not None
            report = moved.after
        elif result is Outcome.SUPERVISION:
            await store.want_supervision(db, report.id, now)
            await _history(db, report, actor, now)
            report = await moves.load(db, report.id, "satisfaction.not_yours")
        return Answered(asked, report, result, moved)


def replace_rating(asked: Asked, rating: Rating, by_staff: int | None) -> Asked:
    """The question as answered."""
    return asked.model_copy(update={"rating": rating, "by_staff_id": by_staff})


async def _checked_here(db: Database, actor: Actor, report: Report, move: str) -> None:
    """The call-back's reopen: who may answer was checked by `answer`."""


async def _history(db: Database, report: Report, actor: Actor, at: datetime) -> None:
    step = CaseEvent(
        "supervision_wanted",
        report.status.value,
        report.status.value,
        report.level,
        mover_of(actor),
        at,
    )
    await case_store.add_event(db, Kind.REPORT, report.id, step)


async def comment(db: Database, config: Config, asked_id: int, text: str) -> Asked:
    """Keep the optional comment after an answer (refused when too long: asked again)."""
    text = text.strip()
    limit = config.reports.max_note_length
    if len(text) > limit:
        raise Refusal("reports.note_too_long", limit=limit, length=len(text))
    async with db.transaction():
        asked = await store.asked_by_id(db, asked_id)
        if asked is None:
            raise Refusal("satisfaction.not_yours", number="?")
        await store.add_comment(db, asked_id, text)
        return asked.model_copy(update={"comment": text})
