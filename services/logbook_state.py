"""What a logging flow shows after each step, and the checks every step shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.clock import to_ts
from bot.config import Config
from bot.storage import drafts as draft_store
from bot.storage.db import Database
from bot.storage.drafts import Draft
from models.contacts import Household, LogKind, Outcome, Placement
from models.errors import Refusal
from models.periods import Period
from models.permissions import Action, Actor, may
from models.units import Unit

# A household_drafts kind: picking the household a worker files a report for (代报).
REPORT_PICK = "report"


class Step(StrEnum):
    """What the flow waits for."""

    HOUSEHOLD = "household"
    OUTCOME = "outcome"
    DATE = "date"
    NOTE = "note"
    LOCATION = "location"
    CHECKIN = "checkin"


@dataclass(frozen=True)
class Page:
    """One page of the households a worker may pick, those still due first."""

    households: list[Household]
    due: frozenset[int]
    page: int
    pages: int
    total: int
    query: str


@dataclass(frozen=True)
class Saved:
    """A contact or visit just stored."""

    kind: LogKind
    household: Household
    outcome: Outcome
    day: date
    note: str
    located: bool
    counts: tuple[bool, bool]


@dataclass(frozen=True)
class CheckedIn:
    """A check-in just stored."""

    placement: Placement
    unit: Unit | None
    week: Period


@dataclass(frozen=True)
class Flow:
    """Where a flow stands after a step: the next question's data, or what was stored."""

    draft: Draft | None
    household: Household | None = None
    page: Page | None = None
    saved: Saved | None = None
    checked_in: CheckedIn | None = None
    # The household picked for a report filed on its behalf (the flow ends there), and the
    # text the worker gave with /report.
    for_report: Household | None = None
    report_text: str = ""
    report_carried: str | None = None  # its photo, recording or location (`carried`)

    @property
    def step(self) -> Step | None:
        """The step waiting for an answer (None once stored)."""
        return Step(self.draft.step) if self.draft is not None else None


def allowed(actor: Actor, action: Action) -> None:
    """Refuse people who may not log, or who hold no unit to log for."""
    if not may(actor, action) or actor.staff is None:
        raise Refusal("households.not_allowed")
    if not actor.units:
        raise Refusal("households.no_units")


async def current(db: Database, config: Config, actor: Actor, now: datetime) -> Draft | None:
    """The person's flow in progress, forgotten once it has been idle too long."""
    draft = await draft_store.of_user(db, actor.tg_user_id)
    if (
        draft is not None
        and to_ts(now) - draft.updated_at > config.logbook_timeout().total_seconds()
    ):
        await draft_store.drop(db, actor.tg_user_id)
        return None
    return draft


async def waiting(db: Database, config: Config, tg_user_id: int, now: datetime) -> bool:
    """Whether this person has a /visit, /contact or /checkin in progress (not yet idle)."""
    async with db.reading():
        draft = await draft_store.of_user(db, tg_user_id)
    limit = config.logbook_timeout().total_seconds()
    return draft is not None and to_ts(now) - draft.updated_at <= limit
