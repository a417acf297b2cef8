"""The monthly assessment: per worker figures and rankings, on demand and on schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import assessment as store
from bot.storage import grid
from bot.storage.db import Database
from models.assessment import UnitRanking, WorkerFigures, rank
from models.digest import Span, SpanKind, previous_span, span_to_date
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.satisfaction import Tally
from models.units import Level, Unit
from services import digest_extras, satisfaction
from services.digest import ScheduledRun, claim_run

ASSESSED_LEVELS = (int(Level.TOWN), int(Level.VILLAGE))


@dataclass(frozen=True)
class Assessment:
    """A unit's workers for a month, ranked within each unit below it."""

    unit: Unit
    span: Span
    groups: dict[int, Unit]
    rankings: dict[int, UnitRanking]
    workers: list[WorkerFigures]
    min_reports: int
    at: datetime


async def build_assessment(
    db: Database, config: Config, unit: Unit, span: Span, now: datetime
) -> Assessment:
    """Figures of every worker of `unit` for `span` (call inside a transaction)."""
    people = await store.workers(db, unit)
    reports = await store.report_figures(db, unit, to_ts(span.start), to_ts(span.end))
    shares = await digest_extras.worker_shares(db, config, unit, span, now)
    rated = await satisfaction.worker_tallies(db, unit, span.start, span.end)
    figures = []
    for person in people:
        done = reports.get(person.staff_id)
        contact, visit = shares.get(person.staff_id, (None, None))
        figures.append(
            WorkerFigures(
                staff_id=person.staff_id,
                code=person.code,
                name=person.name,
                level=person.level,
                group_id=person.group_id,
                unit_names=person.unit_names,
                contact_share=contact,
                visit_share=visit,
                handled=done.handled if done else 0,
                accepted_judged=done.accepted_judged if done else 0,
                accepted_in_time=done.accepted_in_time if done else 0,
                resolved=done.resolved if done else 0,
                on_spot=done.on_spot if done else 0,
                reopened=done.reopened if done else 0,
                confirmed=done.confirmed if done else 0,
                satisfaction=rated.get(person.staff_id, Tally()),
            )
        )
    minimum = config.cadre.assessment.min_reports
    groups = await grid.units_by_ids(db, {w.group_id for w in figures})
    return Assessment(
        unit=unit,
        span=span,
        groups=groups,
        rankings=rank(figures, minimum),
        workers=figures,
        min_reports=minimum,
        at=now,
    )


async def open_assessment(
    db: Database, clock: Clock, config: Config, actor: Actor, unit_id: int | None, previous: bool
) -> Assessment:
    """The assessment of a unit in the actor's subtree: this month so far, or the last one."""
    async with db.transaction():
        if not may(actor, Action.ASSESS):
            raise Refusal("common.not_allowed")
        if unit_id is None:
            held = sorted(
                (u for u in actor.units if u.level <= Level.VILLAGE),
                key=lambda u: (u.level, u.code),
            )
            unit = held[0] if held else None
        else:
            unit = await grid.unit_by_id(db, unit_id)
        if unit is None or not unit.active or not may(actor, Action.ASSESS, unit):
            raise Refusal("assessment.outside")
        now = clock.now()
        span = (
            previous_span(SpanKind.MONTH, now, config.tz)
            if previous
            else span_to_date(SpanKind.MONTH, now, config.tz)
        )
        return await build_assessment(db, config, unit, span, now)


async def claim_scheduled(
    db: Database, clock: Clock, config: Config, process: str
) -> ScheduledRun | None:
    """Claim this month's assessment sends to L1/L2 cadres (each once per month)."""
    settings = config.cadre.assessment
    if not settings.enabled:
        return None
    return await claim_run(
        db,
        clock,
        config,
        "assessment",
        settings.monthly,
        SpanKind.MONTH,
        ASSESSED_LEVELS,
        process,
    )


async def assessment_of_unit(
    db: Database, clock: Clock, config: Config, unit_id: int, span: Span
) -> Assessment | None:
    """A scheduled assessment's content for one unit."""
    async with db.transaction():
        unit = await grid.unit_by_id(db, unit_id)
        if unit is None:
            return None
        return await build_assessment(db, config, unit, span, clock.now())
