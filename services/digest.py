"""Digests: a unit's figures for a period, on demand and on schedule (sent once per period)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.crontab import cron_trigger
from bot.storage import digest as store
from bot.storage import grid
from bot.storage.db import Database
from models.digest import ReportFigures, Span, SpanKind, previous_span, report_figures, span_to_date
from models.errors import Refusal
from models.periods import PeriodKind
from models.permissions import Action, Actor, may
from models.reports import county_form
from models.schedule import due_occurrence
from models.units import Level, Unit
from services import digest_extras, ledger
from services.digest_extras import Extras
from services.ledger import Entry, Planned

SCHEDULED = {"daily": SpanKind.DAY, "weekly": SpanKind.WEEK}
# Scheduled digests and assessments are recorded in the send ledger as 'digest:<kind>'.
FAMILY = "digest"
# Who gets the scheduled digest of their own unit (SPEC §8): county, L1/L2 cadres and L3
# workers.
DIGEST_LEVELS = (int(Level.COUNTY), int(Level.TOWN), int(Level.VILLAGE), int(Level.GRID))


@dataclass(frozen=True)
class Digest:
    """Everything one digest shows."""

    unit: Unit
    sub_units: list[Unit]
    span: Span
    reports: ReportFigures
    at: datetime
    extras: Extras = field(default_factory=Extras)


async def build_digest(
    db: Database,
    config: Config,
    unit: Unit,
    span: Span,
    now: datetime,
    viewer: Level | None = None,
) -> Digest:
    """The digest of `unit` for `span` (call inside a transaction), its report numbers in
    the form a reader at level `viewer` sees them (None: the unit's own cadres)."""
    if unit.level < Level.MICRO_GRID:
        sub_units = await grid.children(db, unit.id)
    else:
        sub_units = [unit]
    rows = await store.report_counts(db, unit, to_ts(span.start), to_ts(span.end))
    figures = report_figures(rows, [u.id for u in sub_units])
    county = county_form(unit.level if viewer is None else viewer)
    extras = await digest_extras.gather(db, config, unit, span, now, county)
    return Digest(unit=unit, sub_units=sub_units, span=span, reports=figures, at=now, extras=extras)


def digest_units(actor: Actor) -> list[Unit]:
    """The units whose digest this person may open directly (the ones they hold)."""
    if not may(actor, Action.DIGEST):
        return []
    return sorted((u for u in actor.units if u.level <= Level.GRID), key=lambda u: u.code)


async def open_digest(
    db: Database, clock: Clock, config: Config, actor: Actor, unit_id: int | None, kind: SpanKind
) -> Digest:
    """The digest of a unit in the actor's subtree for the current period of `kind`."""
    async with db.transaction():
        if not may(actor, Action.DIGEST):
            raise Refusal("common.not_allowed")
        if unit_id is None:
            held = digest_units(actor)
            if not held:
                raise Refusal("digest.no_unit")
            unit: Unit | None = held[0]
        else:
            unit = await grid.unit_by_id(db, unit_id)
        if unit is None or not unit.active or not may(actor, Action.DIGEST, unit):
            raise Refusal("digest.outside")
        now = clock.now()
        span = span_to_date(kind, now, config.tz)
        return await build_digest(db, config, unit, span, now, actor.level)


@dataclass(frozen=True)
class ScheduledRun:
    """One scheduled occurrence: the period it reports on and the sends claimed for it."""

    kind: str
    span: Span
    fired_at: datetime
    entries: list[Entry]


async def claim_run(
    db: Database,
    clock: Clock,
    config: Config,
    kind: str,
    cron: str,
    span_kind: SpanKind,
    levels: tuple[int, ...],
    process: str,
) -> ScheduledRun | None:
    """Record and claim the sends of the occurrence of `cron` due now, which reports on the
    `span_kind` before it: each person once per unit and period, caught up after downtime
    while the occurrence's own period (its day, week or month) lasts."""
    now, tz = clock.now(), config.tz
    due = due_occurrence(cron_trigger(cron, tz), PeriodKind(span_kind.value), tz, now)
    if due is None:
        return None
    span = previous_span(span_kind, due.at, tz)
    ledger_kind = f"{FAMILY}:{kind}"
    async with db.transaction():
        wanted = [
            Planned(
                recipient=f"staff:{r.staff_id}/unit:{r.unit_id}",
                chat_id=r.tg_user_id,
                staff_id=r.staff_id,
                unit_id=r.unit_id,
                payload={"code": r.staff_code},
            )
            for r in await store.recipients(db, levels)
        ]
        await ledger.record(db, clock, ledger_kind, span.key, wanted, due.period.end)
        claimed = await ledger.claim(db, clock, [ledger_kind], process, None, span.key)
    return ScheduledRun(kind=kind, span=span, fired_at=due.at, entries=claimed)


async def claim_scheduled(
    db: Database, clock: Clock, config: Config, kind: str, process: str
) -> ScheduledRun | None:
    """Claim this occurrence's digest sends (daily or weekly)."""
    settings = config.cadre.digest
    if not settings.enabled:
        return None
    return await claim_run(
        db, clock, config, kind, getattr(settings, kind), SCHEDULED[kind], DIGEST_LEVELS, process
    )


async def digest_of_unit(
    db: Database, clock: Clock, config: Config, unit_id: int, span: Span
) -> Digest | None:
    """A scheduled digest's content for one unit."""
    async with db.transaction():
        unit = await grid.unit_by_id(db, unit_id)
        if unit is None:
            return None
        return await build_digest(db, config, unit, span, clock.now())
