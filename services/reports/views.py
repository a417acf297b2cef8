"""Reading reports: a resident's own, a worker's tasks, one report with its history."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.storage import attachments, grid, outbox, satisfaction
from bot.storage import households as household_store
from bot.storage import reports as store
from bot.storage.cases import HistoryStep, history
from bot.storage.db import Database
from bot.storage.groups import group_of_micro_grid
from bot.storage.households_link import household_of
from models.attachments import Attachment
from models.cases import Kind
from models.errors import Refusal
from models.outbox import Failed
from models.permissions import Actor
from models.reports import Number, Report
from models.supervision import STAFF_ONLY_NOTES
from models.units import Staff, Unit
from services import supervision
from services.supervision import Marks

MY_LIMIT = 10
TASKS_LIMIT = 20


@dataclass(frozen=True)
class ReportView:
    """A report with what a reader may see of it."""

    report: Report
    micro_grid: Unit
    owner: Staff | None
    events: list[HistoryStep]
    household_phone: str | None  # only for staff
    group_title: str  # the micro-grid's group, "" when it has none
    # Notices about it that failed for good, with the staff member's name (staff only).
    failed: list[tuple[Failed, str]] = field(default_factory=list)
    marks: Marks | None = None  # its supervision and urge count
    supervisable: bool = False  # the reader may supervise it now (督办)
    recorder: Staff | None = None  # the worker who filed it for the household (代报)
    # Its recording and location (the recording first).
    attachments: list[Attachment] = field(default_factory=list)
    affected: int = 0  # households that said "me too" (besides the reporter's)


async def my_reports(db: Database, tg_user_id: int, in_chat: int | None = None) -> list[Report]:
    """The resident's latest reports, with those a worker filed for their household; with
    `in_chat`, only those filed in that chat."""
    async with db.reading():
        household = await household_of(db, tg_user_id)
        return await store.reports_of(
            db, tg_user_id, MY_LIMIT, in_chat, household.id if household is not None else None
        )


async def tasks(db: Database, actor: Actor) -> list[Report]:
    """Open reports this staff member owns or that wait at their units."""
    assert actor.staff is not None
    async with db.reading():
        return await store.open_tasks(
            db, actor.staff.id, tuple(u.id for u in actor.units), TASKS_LIMIT
        )


async def may_see(db: Database, actor: Actor, report: Report) -> bool:
    """The reporter and the staff whose subtree holds the report may see it."""
    if report.reporter_tg_id == actor.tg_user_id:
        return True
    if report.for_household and report.household_id is not None:
        household = await household_of(db, actor.tg_user_id)
        if household is not None and household.id == report.household_id:
            return True
    if actor.staff is None:
        return False
    micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
    return micro_grid is not None and actor.covers(micro_grid)


def _unknown(number: Number) -> Refusal:
    """The same answer for unknown and forbidden: numbers reveal nothing."""
    if number.prefix:
        return Refusal("county.unknown_number", number=str(number))
    return Refusal("reports.unknown_number", number=number.seq)


async def find(db: Database, actor: Actor, number: Number, in_group: int | None = None) -> Report:
    """The report `number` names for this reader, or a refusal.

    Numbers count per town: `DTY-178` names one report of the county, `178` the one of the
    reader's own town — in a group the one filed there; a county cadre (who has no town of
    their own) is asked for the prefix when several towns have a report 178. A county cadre
    sees numbers with their town's prefix."""
    if number.prefix:
        town = await grid.town_by_short(db, number.prefix)
        found = await store.reports_numbered(db, number.seq, town.id) if town else []
    else:
        found = await store.reports_numbered(db, number.seq)
    seen = [r for r in found if await may_see(db, actor, r)]
    if in_group is not None:
        here = [r for r in found if r.source_chat_id == in_group]
        if here and await may_see(db, actor, here[0]):
            return here[0]
        if seen and number.prefix:
            raise Refusal("county.status_in_private", number=str(number))
        if seen:
            raise Refusal("reports.status_in_private", number=number.seq)
        raise _unknown(number)
    if not seen:
        raise _unknown(number)
    if len(seen) > 1:
        raise Refusal("county.ambiguous_number", number=number.seq, example=_example(seen))
    return seen[0].seen_by(actor.level)


def _example(reports: list[Report]) -> str:
    """`DTY-178`: how to name the first of several reports with the same number."""
    return reports[0].as_tagged().number


async def view(
    db: Database, actor: Actor, number: Number, in_group: int | None = None
) -> ReportView:
    """One report with its history, if the actor may see it.

    Asked in a group (`in_group`), only a report filed in that group is shown, and without
    the household's phone: everything else may be private, and a group is not.
    """
    async with db.reading():
        report = await find(db, actor, number, in_group)
        found = await _view(db, actor, report)
        if in_group is not None:
            return replace(found, household_phone=None)
        return replace(found, supervisable=await supervision.may_supervise(db, actor, report))


async def _view(
    db: Database, actor: Actor, report: Report, *, with_history: bool = True
) -> ReportView:
    """The report's view; without `with_history`, no history and no failed notices (the
    staff card shows neither)."""
    micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
    assert micro_grid is not None
    owner = await grid.staff_by_id(db, report.owner_staff_id) if report.owner_staff_id else None
    phone = None
    if actor.staff is not None and report.for_household:
        phone = await household_store.phone_of(db, report.household_id or 0)
    elif actor.staff is not None:
        linked = await household_of(db, report.reporter_tg_id)
        phone = linked.phone if linked is not None else None
    recorder = None
    if report.recorded_by_staff_id is not None:
        recorder = await grid.staff_by_id(db, report.recorded_by_staff_id)
    group = await group_of_micro_grid(db, report.micro_grid_id)
    failed: list[tuple[Failed, str]] = []
    if actor.staff is not None and with_history:
        for notice in await outbox.failed_about(db, [f"report:{report.id}"]):
            person = await grid.staff_by_id(db, notice.staff_id) if notice.staff_id else None
            failed.append((notice, person.name if person else ""))
    marks = (await supervision.marks(db, [report.id]))[report.id]
    events = await history(db, Kind.REPORT, [report.id]) if with_history else []
    if actor.staff is None:
        events = [
            e.model_copy(update={"note": ""}) if e.action in STAFF_ONLY_NOTES else e for e in events
        ]
        if marks.supervision is not None:
            marks = replace(
                marks, supervision=replace(marks.supervision, instruction="", answer="")
            )
    return ReportView(
        marks=marks,
        failed=failed,
        report=report,
        micro_grid=micro_grid,
        owner=owner,
        events=events,
        household_phone=phone,
        group_title=group.title if group is not None and group.active else "",
        recorder=recorder,
        attachments=await attachments.of_report(db, report.id),
        affected=await satisfaction.affected_count(db, report.id),
    )


async def staff_view(db: Database, report: Report, staff: Staff) -> ReportView:
    """A report as its handler's card shows it (with the reporter's household phone; no
    history and no failed notices, which the card does not show). A county cadre sees the
    number with its town's prefix."""
    report = report.seen_by(staff.level)
    async with db.reading():
        actor = Actor(tg_user_id=staff.tg_user_id or 0, staff=staff)
        return await _view(db, actor, report, with_history=False)
