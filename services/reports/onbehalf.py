"""Reports a grid worker files for a household (代报), and who answers for a household.

The worker picks the household (from a logged visit or contact, from /tasks, or the picker of
/report in private), then the category and the description as in any filing. The report is
the household's: its head's name as the reporter, no Telegram user (reporter_tg_id 0), the
worker as the recorder, and 'visit' / 'contact' when it was collected on one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import cases as case_store
from bot.storage import contacts as contact_store
from bot.storage import grid, households_link
from bot.storage import households as household_store
from bot.storage import reports as store
from bot.storage.db import Database
from bot.storage.groups import group_of_micro_grid
from bot.storage.reports import OnBehalf
from models.contacts import Household, LogKind
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.reports import Report
from models.units import Staff
from services.reports import attachments
from services.reports.attachments import Said
from services.reports.filing import Progress, Step

COLLECTED_ON = frozenset(k.value for k in LogKind)
# A report or questionnaire counts as collected on a visit or contact logged this long ago.
COLLECTED_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Answerer:
    """Who answers for a report's reporter (confirms, reopens, is asked how it went).

    `resident`: a Telegram user speaking for themselves or their household; otherwise the
    worker who recorded the report, on the household's word (`tg_user_id` None when that
    worker cannot be written to)."""

    tg_user_id: int | None
    resident: bool
    staff: Staff | None = None


async def answerer(db: Database, report: Report) -> Answerer:
    """Who answers for the report: its reporter; for a report filed for a household, the
    resident linked to the household, else the worker who recorded it."""
    if not report.for_household:
        return Answerer(report.reporter_tg_id, resident=True)
    async with db.reading():
        if report.household_id is not None:
            linked = await households_link.residents_of(db, report.household_id)
            if linked:
                return Answerer(linked[0], resident=True)
        staff = await grid.staff_by_id(db, report.recorded_by_staff_id or 0)
    return Answerer(staff.tg_user_id if staff else None, resident=False, staff=staff)


@dataclass(frozen=True)
class Where:
    """Where the household of a report filed for it is told: its linked resident privately,
    else its micro-grid's group (chat None: neither)."""

    chat_id: int | None
    private: bool


async def household_chat(db: Database, report: Report) -> Where:
    """The chat that tells the household about a report filed for it."""
    async with db.reading():
        who = await answerer(db, report)
        if who.resident and who.tg_user_id is not None:
            return Where(who.tg_user_id, private=True)
        group = await group_of_micro_grid(db, report.micro_grid_id)
    return Where(group.chat_id if group is not None and group.active else None, private=False)


async def may_file_for(db: Database, actor: Actor, household_id: int) -> Household:
    """The household, if this person may file or answer for it: the household's own workers."""
    household = await household_store.household(db, household_id)
    unit = await grid.unit_by_id(db, household.micro_grid_id) if household else None
    if (
        household is None
        or unit is None
        or actor.staff is None
        or not may(actor, Action.FOR_HOUSEHOLD, unit)
    ):
        raise Refusal("onbehalf.not_allowed")
    return household


async def reports_for_households(db: Database, actor: Actor) -> bool:
    """Whether /report in this person's private chat files for one of their households: a
    grid worker's does, unless the worker is linked to a household of their own (then it is
    their own report, as for any linked resident; the visit and /tasks buttons remain)."""
    if not may(actor, Action.FOR_HOUSEHOLD):
        return False
    async with db.reading():
        return await households_link.household_of(db, actor.tg_user_id) is None


async def check_collected(
    db: Database, clock: Clock, actor: Actor, household: Household, collected_on: str | None
) -> None:
    """Refuse 'collected on a visit / contact' unless this worker logged one with the
    household met in the last COLLECTED_WITHIN (the digests count these apart)."""
    if collected_on is None:
        return
    if actor.staff is None or collected_on not in COLLECTED_ON:
        raise Refusal("onbehalf.not_allowed")
    since = to_ts(clock.now() - COLLECTED_WITHIN)
    if not await contact_store.met_since(db, household.id, actor.staff.id, collected_on, since):
        raise Refusal(f"onbehalf.no_{collected_on}")


def for_household(actor: Actor, household: Household, collected_on: str | None) -> OnBehalf:
    """What a draft filed by this worker for the household carries."""
    assert actor.staff is not None
    return OnBehalf(
        household_id=household.id,
        micro_grid_id=household.micro_grid_id,
        staff_id=actor.staff.id,
        collected_on=collected_on,
    )


async def choose(
    db: Database,
    clock: Clock,
    actor: Actor,
    household_id: int,
    collected_on: str | None,
    press_id: str | None,
) -> Household | None:
    """The worker chose to file for this household (a button); None when the same press
    arrives again."""
    async with db.transaction():
        household = await may_file_for(db, actor, household_id)
        await check_collected(db, clock, actor, household, collected_on)
        if press_id is not None and not await case_store.claim_press(db, press_id, clock.now()):
            return None
        return household


async def begin(
    db: Database,
    clock: Clock,
    config: Config,
    actor: Actor,
    *,
    household_id: int,
    collected_on: str | None,
    chat_id: int,
    message_id: int,
    text: str = "",
    said: Said | None = None,
    placeholder: str = "",
) -> Progress:
    """Start the draft of a report for the household, keyed by the bot's message that opens
    it (`message_id`), with the worker's `text` as its description if given and what `said`
    carries (a photo, a recording — described by `placeholder` when it has no words —, a
    location); the category is asked next."""
    said = said or Said(text)
    async with db.transaction():
        description = attachments.description(config, said, placeholder)
        household = await may_file_for(db, actor, household_id)
        await check_collected(db, clock, actor, household, collected_on)
        draft = await store.add_draft(
            db,
            chat_id,
            message_id,
            actor.tg_user_id,
            household.head_name,
            household.micro_grid_id,
            description,
            said.photo_file_id,
            to_ts(clock.now()),
            for_household(actor, household, collected_on),
        )
        if draft is None:
            return Progress(Step.ALREADY_SEEN)
        await attachments.keep(db, draft.id, said, to_ts(clock.now()))
        return Progress(Step.ASK_CATEGORY, draft)
