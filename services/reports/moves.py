"""Moving a report along its status model: the report's own checks, on the case engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.config import Config
from bot.storage import grid, satisfaction, supervision
from bot.storage import reports as store
from bot.storage.db import Database
from models.cases import CaseChange, Forbidden, Step
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.reports import (
    HOUSEHOLD_WORD_MOVES,
    NEEDS_NOTE,
    RULES,
    STAFF_MOVES,
    Handler,
    Move,
    Report,
    household_word_may,
    resident_may,
    staff_may,
    target,
)
from models.satisfaction import who_of
from models.supervision import LAPSED
from services import cases
from services.cases import CaseKind, SecondDue
from services.reports.onbehalf import answerer

Moved = cases.Moved[Report]


async def load(db: Database, report_id: int, refusal: str = "reports.not_yours") -> Report:
    """The report, or `refusal` when the number is unknown (worded as for someone else's:
    only a forged button names a report that does not exist)."""
    report = await store.report(db, report_id)
    if report is None:
        raise Refusal(refusal, number=f"#{report_id}")
    return report


async def loaded(db: Database, report_id: int) -> Report:
    """The report (refused as `load` does), read on its own."""
    async with db.reading():
        return await load(db, report_id)


async def checked(db: Database, actor: Actor, report_id: int, move: str) -> Report:
    """The report, once `actor` may make `move` on it now (before asking for its note)."""
    async with db.reading():
        report = await load(db, report_id)
        await check(db, actor, report, move)
        return report


async def _handler(db: Database, actor: Actor, report: Report) -> Handler:
    assert actor.staff is not None
    micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
    covers = micro_grid is not None and may(actor, Action.HANDLE_REPORT, micro_grid)
    return Handler(staff_id=actor.staff.id, level=actor.staff.level, covers=covers)


async def check(db: Database, actor: Actor, report: Report, move: str) -> None:
    """Refuse unless `actor` may make `move` on `report` now.

    Who may touch the report at all is checked first: the refusal for the report having
    moved on names its status, which only those who may see the report may learn.
    """
    move = Move(move)
    mine = Refusal("reports.not_yours", number=report.number)
    stale = cases.moved_on("reports", report.number, report.status.value)
    if actor.staff is not None and move in STAFF_MOVES:
        handler = await _handler(db, actor, report)
        if not handler.covers:
            raise mine
        try:
            target(report, move)
        except Forbidden:
            raise stale from None
        if not staff_may(report, move, handler):
            raise mine
        return
    if actor.staff is not None and move in HOUSEHOLD_WORD_MOVES:
        # The household's word, recorded by one of its own workers when no resident answers.
        micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
        covers = micro_grid is not None and may(actor, Action.FOR_HOUSEHOLD, micro_grid)
        handler = Handler(staff_id=actor.staff.id, level=actor.staff.level, covers=covers)
        who = await answerer(db, report)
        if not household_word_may(report, move, handler, who.resident):
            raise mine
        try:
            target(report, move)
        except Forbidden:
            raise stale from None
        return
    household_resident = None
    if report.for_household:
        who = await answerer(db, report)
        household_resident = who.tg_user_id if who.resident else None
    if not resident_may(report, move, actor.tg_user_id, household_resident):
        raise mine
    try:
        target(report, move)
    except Forbidden:
        raise stale from None


async def _prepare(db: Database, config: Config, report: Report, step: Step) -> Step:
    if step.move in NEEDS_NOTE and step.move != Move.DUPLICATE and not step.note:
        raise Refusal("reports.note_needed")
    limit = config.reports.max_note_length
    if len(step.note) > limit:
        raise Refusal("reports.note_too_long", limit=limit, length=len(step.note))
    if step.move == Move.DUPLICATE:
        # The number typed is one of the same town's (in a single town, the id).
        same_town = await store.reports_numbered(db, step.duplicate_of or 0, report.town_id)
        original = same_town[0] if same_town else None
        if original is None or original.id == report.id:
            raise Refusal("reports.bad_duplicate", number=step.duplicate_of or "?")
        return replace(step, duplicate_of=original.id)
    return step


async def _aftermath(db: Database, change: CaseChange) -> None:
    if change.move == Move.DUPLICATE and change.after.duplicate_of is not None:
        await _carry_affected(db, change.after.id, change.after.duplicate_of, change)


async def _carry_affected(db: Database, copy_id: int, original_id: int, change: CaseChange) -> None:
    """The duplicate's reporter and its affected households become affected on the original
    (never the original's own reporter)."""
    copy, original = await store.report(db, copy_id), await store.report(db, original_id)
    assert copy is not None and original is not None
    own = {who_of(original.household_id, original.reporter_tg_id), f"tg:{original.reporter_tg_id}"}
    carried = [
        satisfaction.Affected(
            report_id=original.id,
            who=who_of(copy.household_id, copy.reporter_tg_id),
            household_id=copy.household_id,
            tg_user_id=copy.reporter_tg_id,
            name=copy.reporter_name,
            chat_id=copy.source_chat_id,
        ),
        *(
            a.model_copy(update={"report_id": original.id})
            for a in await satisfaction.affected_of(db, copy.id)
        ),
    ]
    for affected in carried:
        if affected.who not in own and affected.tg_user_id != original.reporter_tg_id:
            await satisfaction.add_affected(db, affected, change.at)


async def _supervisions_past_due(db: Database, now: datetime) -> list[tuple[int, int]]:
    return [(s.report_id, s.id) for s in await supervision.past_due(db, now)]


# Reports on the case engine: cases.apply(…, REPORTS, …) moves one, cases.sweep the late ones
# (past the deadline, or past a supervision's due time unanswered).
REPORTS = CaseKind[Report](
    RULES,
    "report",
    "report",
    load,
    check,
    _prepare,
    lambda r: r.micro_grid_id,
    aftermath=_aftermath,
    second_due=SecondDue(LAPSED, _supervisions_past_due, supervision.lapse),
)
