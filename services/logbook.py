"""Logging a contact or a visit step by step (the answers kept in a draft).

Steps: household → outcome → date → note → location (visits only) → stored; a check-in
(services.checkins) is one step, the location. Every step checks the draft is the one the
button belongs to, so an old button never changes a newer flow; storing deletes the draft in
the same transaction, so the same message delivered twice is never logged twice.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, grid
from bot.storage import contacts as contact_store
from bot.storage import drafts as draft_store
from bot.storage import households as household_store
from bot.storage.db import Database
from bot.storage.drafts import Draft
from models.compliance import HouseholdFacts
from models.contacts import OUTCOMES, Household, LogKind, Outcome, fulfils
from models.errors import Refusal
from models.periods import (
    check_happened_on,
    happened_at,
    local_date,
    month_of,
    parse_day,
    quarter_of,
)
from models.permissions import Action, Actor
from services import checkins
from services.logbook_state import REPORT_PICK, Flow, Page, Saved, Step, allowed, current
from services.reports import attachments
from services.reports.attachments import Said

__all__ = [
    "Flow",
    "Page",
    "Saved",
    "Step",
    "answer_text",
    "begin",
    "begin_report_pick",
    "cancel",
    "choose_date",
    "choose_household",
    "choose_outcome",
    "give_location",
    "show_page",
    "skip_location",
    "skip_note",
]

NOTE_LIMIT = 500


_ACTION = {LogKind.CONTACT: Action.CONTACT, LogKind.VISIT: Action.VISIT}


async def _expect(
    db: Database, config: Config, actor: Actor, now: datetime, draft_id: int, step: Step
) -> Draft:
    draft = await current(db, config, actor, now)
    if draft is None or draft.id != draft_id or draft.step != step:
        raise Refusal("households.stale")
    return draft


async def _page(
    db: Database, config: Config, actor: Actor, now: datetime, draft: Draft, page: int
) -> Page:
    facts = await household_store.facts(db, actor.units, to_ts(now))
    words = draft.query.split()
    found = [
        f
        for f in facts
        if all(w in f.household.head_name or w in f.household.address for w in words)
    ]
    tz = config.tz
    # Picking a household to report for marks those still due for a visit, like /visit.
    kind = LogKind.VISIT if draft.kind == REPORT_PICK else LogKind(draft.kind)
    due = frozenset(f.household.id for f in found if not _done(f, kind, now, tz))
    ordered = sorted(found, key=lambda f: f.household.id not in due)  # stable: keeps code order
    size = config.households.page_size
    pages = max(1, -(-len(ordered) // size))
    page = min(max(page, 0), pages - 1)
    shown = [f.household for f in ordered[page * size : (page + 1) * size]]
    return Page(
        households=shown, due=due, page=page, pages=pages, total=len(found), query=draft.query
    )


def _done(facts: HouseholdFacts, kind: LogKind, now: datetime, tz: ZoneInfo) -> bool:
    if kind is LogKind.VISIT:
        return facts.visited(quarter_of(now, tz))
    return facts.contacted(month_of(now, tz))


async def begin(db: Database, clock: Clock, config: Config, actor: Actor, kind: LogKind) -> Flow:
    """Start logging a contact or visit: the first page of my households."""
    allowed(actor, _ACTION[kind])
    now = clock.now()
    async with db.transaction():
        draft = await draft_store.start(
            db, actor.tg_user_id, kind.value, Step.HOUSEHOLD, to_ts(now)
        )
        return Flow(draft=draft, page=await _page(db, config, actor, now, draft, 0))


async def begin_report_pick(
    db: Database,
    clock: Clock,
    config: Config,
    actor: Actor,
    text: str = "",
    said: Said | None = None,
) -> Flow:
    """Start picking the household a report is filed for (代报), keeping the worker's text
    and whatever the message carried with it (a photo, a recording, a location)."""
    allowed(actor, Action.FOR_HOUSEHOLD)
    if said is not None:
        attachments.description(config, said, "")  # a recording past the limits: refused now
    now = clock.now()
    async with db.transaction():
        draft = await draft_store.start(
            db, actor.tg_user_id, REPORT_PICK, Step.HOUSEHOLD, to_ts(now)
        )
        draft = await draft_store.update(
            db,
            draft,
            to_ts(now),
            note=text.strip()[:NOTE_LIMIT],
            said=attachments.carried(said) if said is not None else None,
        )
        return Flow(draft=draft, page=await _page(db, config, actor, now, draft, 0))


async def show_page(
    db: Database, clock: Clock, config: Config, actor: Actor, draft_id: int, page: int
) -> Flow:
    """Another page of the household list."""
    now = clock.now()
    async with db.transaction():
        draft = await _expect(db, config, actor, now, draft_id, Step.HOUSEHOLD)
        draft = await draft_store.update(db, draft, to_ts(now), page=page)
        return Flow(draft=draft, page=await _page(db, config, actor, now, draft, page))


async def choose_household(
    db: Database, clock: Clock, config: Config, actor: Actor, draft_id: int, household_id: int
) -> Flow:
    """The worker picked a household: it must be one of theirs."""
    now = clock.now()
    async with db.transaction():
        draft = await _expect(db, config, actor, now, draft_id, Step.HOUSEHOLD)
        household = await _mine(db, actor, household_id)
        if draft.kind == REPORT_PICK:
            # The flow ends here: the report's own filing takes over.
            await draft_store.drop(db, actor.tg_user_id)
            return Flow(
                draft=None,
                household=household,
                for_report=household,
                report_text=draft.note or "",
                report_carried=draft.said,
            )
        draft = await draft_store.update(
            db, draft, to_ts(now), household_id=household.id, step=Step.OUTCOME
        )
        return Flow(draft=draft, household=household)


async def _mine(db: Database, actor: Actor, household_id: int) -> Household:
    household = await household_store.household(db, household_id)
    unit = await grid.unit_by_id(db, household.micro_grid_id) if household else None
    if household is None or unit is None or not actor.covers(unit):
        raise Refusal("households.not_yours")
    return household


async def choose_outcome(
    db: Database, clock: Clock, config: Config, actor: Actor, draft_id: int, outcome: str
) -> Flow:
    """How the contact happened / how the visit went."""
    now = clock.now()
    async with db.transaction():
        draft = await _expect(db, config, actor, now, draft_id, Step.OUTCOME)
        if outcome not in {o.value for o in OUTCOMES[LogKind(draft.kind)]}:
            raise Refusal("households.stale")
        draft = await draft_store.update(db, draft, to_ts(now), outcome=outcome, step=Step.DATE)
        return Flow(draft=draft, household=await _mine(db, actor, draft.household_id or 0))


async def choose_date(
    db: Database, clock: Clock, config: Config, actor: Actor, draft_id: int, day: date
) -> Flow:
    """The date it happened: today or earlier in this quarter, never in the future."""
    now = clock.now()
    async with db.transaction():
        draft = await _expect(db, config, actor, now, draft_id, Step.DATE)
        return await _dated(db, config, actor, now, draft, day)


async def _dated(
    db: Database, config: Config, actor: Actor, now: datetime, draft: Draft, day: date
) -> Flow:
    check_happened_on(day, now, config.tz)
    draft = await draft_store.update(
        db, draft, to_ts(now), happened_on=day.isoformat(), step=Step.NOTE
    )
    return Flow(draft=draft, household=await _mine(db, actor, draft.household_id or 0))


async def answer_text(
    db: Database, clock: Clock, config: Config, actor: Actor, text: str
) -> Flow | None:
    """Typed text: search words, a date, or the note — None when no flow waits for text."""
    now = clock.now()
    text = text.strip()
    async with db.transaction():
        draft = await current(db, config, actor, now)
        if draft is None:
            return None
        if draft.step == Step.HOUSEHOLD:
            draft = await draft_store.update(db, draft, to_ts(now), query=text[:50], page=0)
            return Flow(draft=draft, page=await _page(db, config, actor, now, draft, 0))
        if draft.step == Step.DATE:
            day = parse_day(text, local_date(now, config.tz))
            if day is None:
                raise Refusal("households.bad_date")
            return await _dated(db, config, actor, now, draft, day)
        if draft.step == Step.NOTE:
            if len(text) > NOTE_LIMIT:
                raise Refusal("households.note_too_long", limit=NOTE_LIMIT, length=len(text))
            return await _after_note(db, config, actor, now, draft, text)
        if draft.step in (Step.LOCATION, Step.CHECKIN):
            raise Refusal("households.send_location")
        raise Refusal("households.use_buttons")


async def skip_note(
    db: Database, clock: Clock, config: Config, actor: Actor, draft_id: int
) -> Flow:
    """No note."""
    now = clock.now()
    async with db.transaction():
        draft = await _expect(db, config, actor, now, draft_id, Step.NOTE)
        return await _after_note(db, config, actor, now, draft, "")


async def _after_note(
    db: Database, config: Config, actor: Actor, now: datetime, draft: Draft, note: str
) -> Flow:
    if draft.kind == LogKind.VISIT:
        draft = await draft_store.update(db, draft, to_ts(now), note=note, step=Step.LOCATION)
        return Flow(draft=draft, household=await _mine(db, actor, draft.household_id or 0))
    return await _save(db, config, actor, now, draft.model_copy(update={"note": note}), None)


async def skip_location(db: Database, clock: Clock, config: Config, actor: Actor) -> Flow | None:
    """No location for this visit; None when no visit waits for one."""
    now = clock.now()
    async with db.transaction():
        draft = await current(db, config, actor, now)
        if draft is None or draft.step != Step.LOCATION:
            return None
        return await _save(db, config, actor, now, draft, None)


async def give_location(
    db: Database, clock: Clock, config: Config, actor: Actor, lat: float, lon: float
) -> Flow | None:
    """A shared location: the visit's place or a check-in; None when nothing waits for one."""
    now = clock.now()
    async with db.transaction():
        draft = await current(db, config, actor, now)
        if draft is None or draft.step not in (Step.LOCATION, Step.CHECKIN):
            return None
        if draft.step == Step.LOCATION:
            return await _save(db, config, actor, now, draft, (lat, lon))
        return await checkins.check_in(db, config, actor, now, lat, lon)


async def _save(
    db: Database,
    config: Config,
    actor: Actor,
    now: datetime,
    draft: Draft,
    location: tuple[float, float] | None,
) -> Flow:
    assert actor.staff is not None and draft.outcome and draft.happened_on
    household = await _mine(db, actor, draft.household_id or 0)
    kind, outcome = LogKind(draft.kind), Outcome(draft.outcome)
    day = date.fromisoformat(draft.happened_on)
    check_happened_on(day, now, config.tz)  # the quarter may have turned since it was chosen
    counts = fulfils(kind, outcome)
    entry_id = await contact_store.add_entry(
        db,
        household_id=household.id,
        staff_id=actor.staff.id,
        kind=kind,
        outcome=outcome,
        counts=counts,
        happened_on=day.isoformat(),
        happened_at=to_ts(happened_at(day, now, config.tz)),
        note=draft.note or "",
        lat=location[0] if location else None,
        lon=location[1] if location else None,
        at=to_ts(now),
    )
    await audit.record(
        db,
        to_ts(now),
        f"staff:{actor.staff.code}",
        f"household.{kind.value}",
        "contact",
        entry_id,
        household=household.code,
        outcome=outcome.value,
    )
    await draft_store.drop(db, actor.tg_user_id)
    return Flow(
        draft=None,
        household=household,
        saved=Saved(
            kind=kind,
            household=household,
            outcome=outcome,
            day=day,
            note=draft.note or "",
            located=location is not None,
            counts=counts,
        ),
    )


async def cancel(db: Database, tg_user_id: int) -> bool:
    """Leave the flow in progress; True when there was one."""
    async with db.transaction():
        return await draft_store.drop(db, tg_user_id)
