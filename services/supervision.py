"""Supervision (督办) and urging (催办) of reports.

An L1/L2 cadre supervises an open report of their subtree: an instruction and a time by
which the report's owner (or, when nobody owns it, the workers of the level it waits at)
must answer with progress. Unanswered by then, the deadline sweep climbs it a level like a
missed deadline (services.cases, `SecondDue`). The reporter urges a report once its accept
deadline has passed, at most once per `[reports] urge_every`: the owner is reminded and the
urging counted. Every step is a step of the report's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, grid
from bot.storage import cases as case_store
from bot.storage import supervision as store
from bot.storage.db import Database
from bot.storage.supervision import Figures as Figures  # the digest's figures
from bot.storage.supervision import Supervision
from models.cases import CaseEvent, Kind, Mover
from models.errors import Refusal, TextKey
from models.permissions import Action, Actor, may
from models.reports import Report
from models.supervision import ANSWER, SUPERVISE, URGE, supervisable, urge_not_before
from models.units import Level, Staff
from services.cases import mover_of
from services.effects import Then
from services.reports.moves import load as load_report


@dataclass(frozen=True)
class Supervised:
    """A supervision just set or answered, and who is to hear of it."""

    report: Report
    supervision: Supervision
    to: list[Staff]  # who must answer (set) — the cadre is `supervision.by_*`
    event_id: int


@dataclass(frozen=True)
class Urged:
    """A report just urged: how many times now, and the staff reminded."""

    report: Report
    count: int
    to: list[Staff]
    event_id: int


def _local(config: Config, when: datetime) -> str:
    return when.astimezone(config.tz).strftime("%Y-%m-%d %H:%M")


async def may_supervise(db: Database, actor: Actor, report: Report) -> bool:
    """Whether this person may supervise the report now (a cadre over its micro-grid, the
    report still worked on); the button is shown only then."""
    if actor.staff is None or not may(actor, Action.SUPERVISE):
        return False
    micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
    return (
        micro_grid is not None
        and may(actor, Action.SUPERVISE, micro_grid)
        and supervisable(report.status, report.supervision_wanted)
    )


async def _check(db: Database, config: Config, actor: Actor, report: Report) -> None:
    if actor.staff is None or not may(actor, Action.SUPERVISE):
        raise Refusal("supervise.cadres_only")
    micro_grid = await grid.unit_by_id(db, report.micro_grid_id)
    if micro_grid is None or not may(actor, Action.SUPERVISE, micro_grid):
        raise Refusal("reports.not_yours", number=report.number)
    if not supervisable(report.status, report.supervision_wanted):
        raise Refusal(
            "supervise.not_open",
            number=report.number,
            status=TextKey(f"reports.status_{report.status.value}"),
        )
    current = await store.current(db, report.id)
    if current is not None and current.waiting:
        raise Refusal("supervise.pending", number=report.number, due=_local(config, current.due_at))


async def check(db: Database, config: Config, actor: Actor, report_id: int) -> Report:
    """The report, when this person may supervise it now; a refusal otherwise."""
    async with db.reading():
        report = await load_report(db, report_id)
        await _check(db, config, actor, report)
        return report


async def answerers(db: Database, report: Report) -> list[Staff]:
    """Who answers a supervision and hears an urging: the owner, or when nobody owns the
    report, the linked workers of the unit it waits at."""
    if report.owner_staff_id is not None:
        owner = await grid.staff_by_id(db, report.owner_staff_id)
        if owner is not None and owner.tg_user_id is not None:
            return [owner]
    return [s for s in await grid.staff_of_unit(db, report.unit_id) if s.tg_user_id]


def _text(config: Config, text: str, missing: str) -> str:
    text = text.strip()
    if not text:
        raise Refusal(missing)
    limit = config.reports.max_note_length
    if len(text) > limit:
        raise Refusal("reports.note_too_long", limit=limit, length=len(text))
    return text


async def _event(
    db: Database, report: Report, action: str, by: Mover, at: datetime, note: str = ""
) -> int:
    event = CaseEvent(action, report.status, report.status, report.level, by, at, note)
    event_id = await case_store.add_event(db, Kind.REPORT, report.id, event)
    await audit.record(db, to_ts(at), by.label, f"report.{action}", "report", report.id, note=note)
    return event_id


async def supervise(
    db: Database,
    clock: Clock,
    config: Config,
    actor: Actor,
    report_id: int,
    instruction: str,
    choice: int,
    then: Then[Supervised] | None = None,
) -> Supervised:
    """Supervise the report: the instruction, answered within the `choice`-th of
    `[reports] supervise_within`. `then` (the caller's notices) runs in its transaction."""
    choices = config.reports.supervise_within
    if not 0 <= choice < len(choices):
        raise Refusal("common.stale_button")
    async with db.transaction():
        report = await load_report(db, report_id)
        await _check(db, config, actor, report)
        assert actor.staff is not None
        text = _text(config, instruction, "supervise.instruction_needed")
        now = clock.now()
        await store.add(db, report.id, actor.staff.id, text, now, now + choices[choice])
        event_id = await _event(db, report, SUPERVISE, mover_of(actor), now, text)
        supervision = await store.current(db, report.id)
        assert supervision is not None
        done = Supervised(report, supervision, await answerers(db, report), event_id)
        if then is not None:
            await then(done)
        return done


async def _answerable(db: Database, actor: Actor, report: Report) -> Supervision:
    current = await store.current(db, report.id)
    if current is None or not current.waiting:
        raise Refusal("supervise.nothing_waiting", number=report.number)
    staff = actor.staff
    if staff is None or staff.id not in {s.id for s in await answerers(db, report)}:
        raise Refusal("supervise.not_yours_to_answer", number=report.number)
    return current


async def report_of(db: Database, report_id: int) -> Report:
    """The report a supervision question is about (to ask it again)."""
    async with db.reading():
        return await load_report(db, report_id)


async def check_answer(db: Database, actor: Actor, report_id: int) -> Report:
    """The report whose supervision this person may answer now; a refusal otherwise."""
    async with db.reading():
        report = await load_report(db, report_id)
        await _answerable(db, actor, report)
        return report


async def answer(
    db: Database,
    clock: Clock,
    config: Config,
    actor: Actor,
    report_id: int,
    progress: str,
    then: Then[Supervised] | None = None,
) -> Supervised:
    """The owner's answer to the supervision, with progress (`then`: the caller's notices,
    in its transaction)."""
    async with db.transaction():
        report = await load_report(db, report_id)
        current = await _answerable(db, actor, report)
        assert actor.staff is not None
        text = _text(config, progress, "supervise.progress_needed")
        now = clock.now()
        await store.answer(db, current.id, actor.staff.id, text, now)
        event_id = await _event(db, report, ANSWER, mover_of(actor), now, text)
        answered = await store.current(db, report.id)
        assert answered is not None
        done = Supervised(report, answered, [actor.staff], event_id)
        if then is not None:
            await then(done)
        return done


async def urge(
    db: Database,
    clock: Clock,
    config: Config,
    tg_user_id: int,
    report_id: int,
    press_id: str | None = None,
    then: Then[Urged] | None = None,
) -> Urged | None:
    """The reporter urges the report; None when this press was applied before. `then` (the
    caller's notices) runs in its transaction."""
    async with db.transaction():
        now = clock.now()
        if press_id is not None and not await case_store.claim_press(db, press_id, now):
            return None
        report = await load_report(db, report_id, "supervise.urge_not_yours")
        if report.reporter_tg_id != tg_user_id:
            raise Refusal("supervise.urge_not_yours", number=report.number)
        if not supervisable(report.status):
            raise Refusal(
                "supervise.urge_not_open",
                number=report.number,
                status=TextKey(f"reports.status_{report.status.value}"),
            )
        level = await store.filed_level(db, report.id) or int(Level.MICRO_GRID)
        opens_at = report.created_at + config.reports.deadlines.at(level).accept_within
        last = await store.last_urge(db, report.id)
        not_before = urge_not_before(opens_at, last, config.reports.urge_every)
        if now < not_before:
            key = "supervise.urge_too_soon" if last is not None else "supervise.urge_too_early"
            raise Refusal(key, number=report.number, when=_local(config, not_before))
        count = await store.add_urge(db, report.id, tg_user_id, now)
        event_id = await _event(db, report, URGE, Mover(f"tg:{tg_user_id}"), now)
        urged = Urged(report, count, await answerers(db, report), event_id)
        if then is not None:
            await then(urged)
        return urged


@dataclass(frozen=True)
class Marks:
    """What the board, the card and /status show of a report's supervision and urging."""

    supervision: Supervision | None
    urges: int


async def marks(db: Database, report_ids: list[int]) -> dict[int, Marks]:
    """The supervision and urge count of each report."""
    async with db.reading():
        latest = await store.latest_of(db, report_ids)
        urged = await store.urge_counts(db, report_ids)
    return {i: Marks(latest.get(i), urged.get(i, 0)) for i in report_ids}
