"""Moving a report along the status model: by staff, by the reporter, by the deadline sweep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, grid
from bot.storage import reports as store
from bot.storage.db import Database
from models.errors import Refusal, TextKey
from models.permissions import Action, Actor, may
from models.reports import (
    NEEDS_NOTE,
    STAFF_MOVES,
    Forbidden,
    Handler,
    Move,
    Report,
    Status,
    resident_may,
    solved_on_the_spot,
    staff_may,
    target,
)
from models.units import Level, Staff
from services.reports.routing import Route, route_from


@dataclass(frozen=True)
class Moved:
    """A report before and after a move, and who must hear of it."""

    before: Report
    after: Report
    move: Move
    note: str = ""
    by: Staff | None = None  # None: the reporter or the system
    route: Route | None = None  # set when it climbed a level
    overdue: bool = False  # set when a deadline made the move
    event_id: int = 0  # the history step it wrote (names the notices it causes)
    extra: dict[str, Any] = field(default_factory=dict)


async def load(db: Database, report_id: int) -> Report:
    """The report, or a refusal when the number is unknown (worded as for someone else's)."""
    report = await store.report(db, report_id)
    if report is None:
        raise Refusal("reports.not_yours", number=f"#{report_id}")
    return report


async def _handler(db: Database, actor: Actor, report: Report) -> Handler:
    assert actor.staff is not None
    micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
    covers = micro_grid is not None and may(actor, Action.HANDLE_REPORT, micro_grid)
    return Handler(staff_id=actor.staff.id, level=actor.staff.level, covers=covers)


def _stale(report: Report, move: Move) -> Refusal:
    return Refusal(
        "reports.moved_on",
        number=report.number,
        status=TextKey(f"reports.status_{report.status.value}"),
    )


async def check(db: Database, actor: Actor, report: Report, move: Move) -> None:
    """Refuse unless `actor` may make `move` on `report` now.

    Who may touch the report at all is checked first: the refusal for the report having
    moved on names its status, which only those who may see the report may learn.
    """
    mine = Refusal("reports.not_yours", number=report.number)
    if actor.staff is not None and move in STAFF_MOVES:
        handler = await _handler(db, actor, report)
        if not handler.covers:
            raise mine
        try:
            target(report, move)
        except Forbidden:
            raise _stale(report, move) from None
        if not staff_may(report, move, handler):
            raise mine
        return
    if not resident_may(report, move, actor.tg_user_id):
        raise mine
    try:
        target(report, move)
    except Forbidden:
        raise _stale(report, move) from None


async def apply(
    db: Database,
    clock: Clock,
    config: Config,
    actor: Actor,
    report_id: int,
    move: Move,
    note: str = "",
    duplicate_of: int | None = None,
    press_id: str | None = None,
) -> Moved | None:
    """Make `move` on the report as `actor`, atomically, after every check.

    `press_id` (a button press's id) makes the move happen once even when Telegram delivers
    the press again; the repeat returns None.
    """
    async with db.transaction():
        if press_id is not None and not await store.claim_press(db, press_id, to_ts(clock.now())):
            return None
        report = await load(db, report_id)
        await check(db, actor, report, move)
        note = note.strip()
        if move in NEEDS_NOTE and move is not Move.DUPLICATE and not note:
            raise Refusal("reports.note_needed")
        if len(note) > config.reports.max_note_length:
            raise Refusal(
                "reports.note_too_long", limit=config.reports.max_note_length, length=len(note)
            )
        extra: dict[str, Any] = {}
        if move is Move.DUPLICATE:
            original = await store.report(db, duplicate_of or 0)
            if original is None or original.id == report.id:
                raise Refusal("reports.bad_duplicate", number=duplicate_of or "?")
            extra["duplicate_of"] = original.id
        return await _commit(db, clock, config, report, move, actor, note, extra)


async def _commit(
    db: Database,
    clock: Clock,
    config: Config,
    report: Report,
    move: Move,
    actor: Actor | None,
    note: str,
    extra: dict[str, Any],
    overdue: bool = False,
) -> Moved:
    now = clock.now()
    to_status, level = target(report, move)
    staff = actor.staff if actor is not None else None
    changes: dict[str, Any] = {"status": to_status.value}
    route: Route | None = None
    if move is Move.ACCEPT:
        assert staff is not None
        changes |= _accepted(config, report, staff, now)
    elif move is Move.RESOLVE:
        assert staff is not None
        if report.status is Status.NEW:
            changes |= _accepted(config, report, staff, now)
        changes |= {
            "resolved_at": now,
            "resolve_due_at": None,
            "accept_due_at": None,
            "solved_on_spot": int(solved_on_the_spot(report, staff.level)),
        }
    elif move is Move.ESCALATE:
        micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
        assert micro_grid is not None
        route = await route_from(db, micro_grid, level)
        level = route.level
        changes |= {
            "level": int(level),
            "unit_id": route.unit.id,
            "owner_staff_id": None,
            "escalations": report.escalations + 1,
            "resolve_due_at": None,
            "accept_due_at": now + config.reports.deadlines.at(level).accept_within,
        }
    elif move is Move.CONFIRM:
        changes |= {"closed_at": now}
    elif move is Move.REOPEN:
        changes |= {
            "reopen_count": report.reopen_count + 1,
            "solved_on_spot": 0,
            "resolved_at": None,
            "resolve_due_at": now + config.reports.deadlines.at(level).resolve_within,
        }
    elif move in (Move.DUPLICATE, Move.REJECT):
        changes |= {"closed_at": now, "accept_due_at": None, "resolve_due_at": None}
        if move is Move.DUPLICATE:
            changes["duplicate_of"] = extra["duplicate_of"]
    if overdue:
        changes["overdue"] = 1
    at = to_ts(now)
    await store.update_report(db, report.id, at, **changes)
    who = f"staff:{staff.code}" if staff else (f"tg:{actor.tg_user_id}" if actor else "system")
    action = f"{move.value}_overdue" if overdue else move.value
    event_id = await store.add_event(
        db,
        report.id,
        at,
        action,
        report.status.value,
        to_status.value,
        int(level),
        who,
        staff.id if staff else None,
        note,
    )
    await audit.record(db, at, who, f"report.{action}", "report", report.id, note=note)
    after = await store.report(db, report.id)
    assert after is not None
    return Moved(
        before=report,
        after=after,
        move=move,
        note=note,
        by=staff,
        route=route,
        overdue=overdue,
        extra=extra,
        event_id=event_id,
    )


def _accepted(config: Config, report: Report, staff: Staff, now: datetime) -> dict[str, Any]:
    due = now + config.reports.deadlines.at(report.level).resolve_within
    fields: dict[str, Any] = {
        "owner_staff_id": staff.id,
        "accepted_at": now,
        "resolve_due_at": due,
        "accept_due_at": None,
    }
    if report.level is Level.MICRO_GRID and report.escalations == 0:
        in_time = report.accept_due_at is None or now <= report.accept_due_at
        fields["accepted_in_time"] = int(in_time)
    return fields


async def sweep(db: Database, clock: Clock, config: Config) -> list[Moved]:
    """Escalate every report past a deadline, once per breach (idempotent)."""
    moved: list[Moved] = []
    async with db.transaction():
        now = clock.now()
        for report in await store.past_deadline(db, to_ts(now)):
            if report.level.parent is None:
                await store.update_report(
                    db, report.id, to_ts(now), overdue=1, accept_due_at=None, resolve_due_at=None
                )
                await store.add_event(
                    db,
                    report.id,
                    to_ts(now),
                    "overdue",
                    report.status.value,
                    report.status.value,
                    int(report.level),
                    "system",
                    None,
                )
                continue
            moved.append(
                await _commit(db, clock, config, report, Move.ESCALATE, None, "", {}, overdue=True)
            )
    return moved
