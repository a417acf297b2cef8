"""Digests: a unit's figures for a period, on demand and on schedule (sent once per period)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.crontab import cron_trigger, last_fire
from bot.storage import digest as store
from bot.storage import grid
from bot.storage.db import Database
from bot.storage.digest import Recipient
from models.digest import ReportFigures, Span, SpanKind, previous_span, report_figures, span_to_date
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.units import Level, Unit
from services import digest_extras
from services.digest_extras import Extras

SCHEDULED = {"daily": SpanKind.DAY, "weekly": SpanKind.WEEK}
# Who gets the scheduled digest of their own unit (SPEC §8): L1/L2 cadres and L3 workers.
DIGEST_LEVELS = (int(Level.TOWN), int(Level.VILLAGE), int(Level.GRID))


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
    db: Database, config: Config, unit: Unit, span: Span, now: datetime
) -> Digest:
    """The digest of `unit` for `span` (call inside a transaction)."""
    if unit.level < Level.MICRO_GRID:
        sub_units = await grid.children(db, unit.id)
    else:
        sub_units = [unit]
    rows = await store.report_counts(db, unit, to_ts(span.start), to_ts(span.end))
    figures = report_figures(rows, [u.id for u in sub_units])
    extras = await digest_extras.gather(db, config, unit, span, now)
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
        return await build_digest(db, config, unit, span_to_date(kind, now, config.tz), now)


@dataclass(frozen=True)
class ScheduledRun:
    """One scheduled digest occurrence: its period and the sends claimed for it."""

    kind: str
    span: Span
    fired_at: datetime
    recipients: list[Recipient]


def due_occurrence(config: Config, cron: str, now: datetime) -> datetime | None:
    """The latest scheduled time not older than the catch-up window, if any."""
    trigger = cron_trigger(cron, config.tz)
    window = config.cadre.digest.catch_up_within
    return last_fire(trigger, now, window)


async def claim_run(
    db: Database,
    clock: Clock,
    config: Config,
    kind: str,
    cron: str,
    span_kind: SpanKind,
    levels: tuple[int, ...],
) -> ScheduledRun | None:
    """Claim the sends of the latest occurrence of `cron` (each person once per period)."""
    now = clock.now()
    fired = due_occurrence(config, cron, now)
    if fired is None:
        return None
    span = previous_span(span_kind, fired, config.tz)
    async with db.transaction():
        wanted = await store.recipients(db, levels)
        fresh = await store.claim_sends(db, kind, span.key, wanted, to_ts(now))
    return ScheduledRun(kind=kind, span=span, fired_at=fired, recipients=fresh)


async def claim_scheduled(
    db: Database, clock: Clock, config: Config, kind: str
) -> ScheduledRun | None:
    """Claim this occurrence's digest sends (daily or weekly)."""
    settings = config.cadre.digest
    if not settings.enabled:
        return None
    return await claim_run(
        db, clock, config, kind, getattr(settings, kind), SCHEDULED[kind], DIGEST_LEVELS
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


async def finish_send(
    db: Database,
    clock: Clock,
    kind: str,
    period_key: str,
    recipient: Recipient,
    ok: bool,
    error: str = "",
) -> None:
    """Record how a claimed send went."""
    async with db.transaction():
        await store.finish_send(
            db,
            kind,
            period_key,
            recipient.staff_id,
            recipient.unit_id,
            ok,
            error,
            to_ts(clock.now()),
        )
