"""The digest's figures that come from other features: contact and visit compliance with
the named workers behind, open pension home visits, reminder sends and report notices that
failed, and the survey averages of the current round. Each comes from the feature's own
functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import to_ts
from bot.config import Config
from bot.storage import grid, ledger, outbox, pension, supervision, survey
from bot.storage.db import Database
from bot.storage.supervision import Figures
from models.compliance import Compliance
from models.digest import Span
from models.reminders import FAMILY as REMINDERS
from models.units import Level, Unit
from services import satisfaction
from services.compliance import compliance
from services.satisfaction import SatisfactionFigures
from services.survey import current_round

# Overdue open reports the digest names by number (one more than shown: "…" when there are).
OVERDUE_NAMED = 9


@dataclass(frozen=True)
class PensionFigures:
    """Open home visits of the subtree."""

    open: int
    overdue: int


@dataclass(frozen=True)
class SurveyFigures:
    """The current round's rating averages: (question id, average), and how many answered."""

    round_code: str
    averages: list[tuple[str, float]]
    responses: int


@dataclass
class Extras:
    """Everything the digest shows beyond reports."""

    compliance: Compliance | None = None
    unit_names: dict[int, str] = field(default_factory=dict)
    pension: PensionFigures | None = None
    failed_sends: list[dict[str, Any]] = field(default_factory=list)
    failed_notices: list[str] = field(default_factory=list)  # report numbers (#12)
    survey: SurveyFigures | None = None
    supervision: Figures | None = None  # open reports supervised (督办) and urged (催办)
    satisfaction: SatisfactionFigures = field(default_factory=SatisfactionFigures)
    # Reminder runs of the period (town level and above): when each ran, how long it took.
    runs: list[ledger.Run] = field(default_factory=list)


async def gather(
    db: Database, config: Config, unit: Unit, span: Span, now: datetime, county: bool = False
) -> Extras:
    """Every extra figure for `unit` at `now` (failed sends counted from the period's start);
    report numbers in the county form (DTY-12) when `county`."""
    found = Extras()
    found.compliance = await compliance(db, config.tz, unit, now)
    ids = {i for w in found.compliance.by_worker for i in w.unit_ids}
    found.unit_names = {i: u.name for i, u in (await grid.units_by_ids(db, ids)).items()}
    visits = await pension.open_in_subtree(db, unit)
    found.pension = PensionFigures(
        open=sum(r.mode == "home_visit" for r in visits),
        overdue=sum(r.mode == "home_visit" and r.overdue for r in visits),
    )
    found.failed_sends = await ledger.failed_in(db, REMINDERS, unit, to_ts(span.start))
    found.failed_notices = await outbox.failed_reports_in(db, unit, span.start, county)
    found.supervision = await supervision.figures(db, unit, OVERDUE_NAMED, county)
    found.satisfaction = await satisfaction.figures(db, unit, span.start, span.end, county)
    if unit.level <= Level.TOWN:
        found.runs = await ledger.runs(db, REMINDERS, to_ts(span.start), to_ts(span.end))
    current = current_round(config, now)
    if current is not None:
        round_code = current.code
        averages = await survey.averages(db, unit, round_code)
        found.survey = SurveyFigures(
            round_code=round_code,
            averages=[(a.question_id, a.average) for a in averages],
            responses=await survey.response_count(db, unit, round_code),
        )
    return found


async def worker_shares(
    db: Database, config: Config, unit: Unit, span: Span, now: datetime
) -> dict[int, tuple[float | None, float | None]]:
    """Per worker: share of households contacted in the span's month, and visited in its
    quarter up to the span's end (or now, for the month in progress)."""
    at = min(now, span.end - timedelta(seconds=1))
    found = await compliance(db, config.tz, unit, at)
    return {w.staff_id: (w.contacts.share, w.visits.share) for w in found.by_worker}
