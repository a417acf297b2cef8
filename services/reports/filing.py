"""Filing a report: /report, the category button, the description, then routing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import audit, cases, grid, households_link
from bot.storage import groups as group_store
from bot.storage import reports as store
from bot.storage.db import Database
from bot.storage.reports import Draft, OnBehalf
from models.cases import CaseEvent, Kind, Mover
from models.errors import Refusal
from models.reports import Report, Status
from models.units import Level, Unit
from services.effects import Then
from services.reports import attachments
from services.reports.attachments import Said
from services.reports.routing import Route, route_from


class Step(StrEnum):
    """What the bot asks next while a report is filed."""

    ASK_CATEGORY = "ask_category"
    ASK_DESCRIPTION = "ask_description"
    LOCATION_NOTED = "location_noted"  # a location came: the description is asked again
    FILED = "filed"
    ALREADY_SEEN = "already_seen"  # the same Telegram message arrived again
    ALREADY_FILED = "already_filed"  # a press handled again after its report was filed


@dataclass(frozen=True)
class Filed:
    """A report just filed, where it went, and the micro-grid it belongs to."""

    report: Report
    route: Route
    micro_grid: Unit


@dataclass(frozen=True)
class Progress:
    """The next step of filing, with the draft and (once filed) the report."""

    step: Step
    draft: Draft | None = None
    filed: Filed | None = None
    report: Report | None = None  # ALREADY_FILED: the report the draft became


def clean_description(config: Config, text: str | None) -> str | None:
    """The description trimmed, None when empty; too long is refused."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > config.reports.max_length:
        raise Refusal("reports.too_long", limit=config.reports.max_length, length=len(text))
    return text


async def _micro_grid_for(
    db: Database, chat_id: int, tg_user_id: int, private: bool
) -> tuple[Unit, int | None]:
    """The micro-grid a report from this chat belongs to, and the reporter's household."""
    household = await households_link.household_of(db, tg_user_id)
    if private:
        if household is None:
            raise Refusal("reports.use_group")
        unit = await grid.unit_by_id(db, household.micro_grid_id)
        if unit is None or not unit.active:
            raise Refusal("reports.use_group")
        return unit, household.id
    group = await group_store.group(db, chat_id)
    if group is None or not group.active or group.micro_grid_id is None:
        raise Refusal("reports.unbound_group")
    unit = await grid.unit_by_id(db, group.micro_grid_id)
    if unit is None or not unit.active:
        raise Refusal("reports.unbound_group")
    in_this = household is not None and household.micro_grid_id == unit.id
    return unit, household.id if in_this and household is not None else None


async def start(
    db: Database,
    clock: Clock,
    config: Config,
    *,
    chat_id: int,
    message_id: int,
    tg_user_id: int,
    name: str,
    text: str | None,
    photo_file_id: str | None,
    private: bool,
    again: bool = False,
    said: Said | None = None,
    placeholder: str = "",
    then: Then[Progress] | None = None,
) -> Progress:
    """Begin filing from a /report message (with or without text, photo or a recording
    captioned /report; `said` then carries it, `placeholder` describes a recording alone).
    `again`: the message is handled again after a restart, so a question its first handling
    may never have sent is asked now. `then` (the caller's notices of it) runs in the
    filing's transaction."""
    said = said or Said(text, photo_file_id)
    async with db.transaction(quick=True):
        description = attachments.description(config, said, placeholder)
        micro_grid, _ = await _micro_grid_for(db, chat_id, tg_user_id, private)
        if not private and not await group_store.is_member(db, chat_id, tg_user_id):
            raise Refusal("reports.not_member")
        draft = await store.add_draft(
            db,
            chat_id,
            message_id,
            tg_user_id,
            name,
            micro_grid.id,
            description,
            photo_file_id,
            to_ts(clock.now()),
        )
        if draft is not None:
            await attachments.keep(db, draft.id, said, to_ts(clock.now()))
        else:
            # The same message again: after a crash between storing the draft and asking its
            # question, the question is asked (again); otherwise there is nothing to do.
            if not again:
                return Progress(Step.ALREADY_SEEN)
            draft = await store.draft_of_message(db, chat_id, message_id)
            if draft is None or draft.report_id is not None:
                return Progress(Step.ALREADY_SEEN)
            if draft.category is not None and draft.question_message_id is not None:
                return Progress(Step.ALREADY_SEEN)
        return await _then(await _next(db, clock, config, draft), then)


async def choose_category(
    db: Database,
    clock: Clock,
    config: Config,
    draft_id: int,
    code: str,
    tg_user_id: int,
    then: Then[Progress] | None = None,
) -> Progress:
    """The reporter picked a category button (`then`: the caller's notices, in the
    filing's transaction)."""
    async with db.transaction(quick=True):
        draft = await store.draft(db, draft_id)
        if draft is None:
            raise Refusal("reports.draft_gone")
        if draft.reporter_tg_id != tg_user_id:
            raise Refusal("reports.not_your_draft")
        if draft.report_id is not None:
            return Progress(
                Step.ALREADY_FILED, draft, report=await store.report(db, draft.report_id)
            )
        if config.category(code) is None:
            raise Refusal("reports.draft_gone")
        await store.update_draft(db, draft.id, category=code)
        draft = draft.model_copy(update={"category": code})
        return await _then(await _next(db, clock, config, draft), then)


async def describe(
    db: Database,
    clock: Clock,
    config: Config,
    *,
    chat_id: int,
    question_id: int | None,
    tg_user_id: int,
    text: str | None,
    photo_file_id: str | None,
    said: Said | None = None,
    placeholder: str = "",
    then: Then[Progress] | None = None,
) -> Progress | None:
    """A reply to the bot's description question (or, `question_id` None, a recording sent
    while this person's description question waits in this chat); None when it answers no
    question of ours. A location alone is kept and the description asked for again. `then`
    (the caller's notices of a report filed) runs in the filing's transaction."""
    said = said or Said(text, photo_file_id)
    async with db.transaction():
        if question_id is None:
            since = to_ts(clock.now() - config.flows.timeout)
            draft = await store.waiting_description(db, chat_id, tg_user_id, since)
        else:
            draft = await store.draft_by_question(db, chat_id, question_id)
        if draft is None:
            return None
        if draft.reporter_tg_id != tg_user_id:
            raise Refusal("reports.not_your_draft")
        if draft.report_id is not None:
            return Progress(Step.ALREADY_SEEN, draft)
        description = attachments.description(config, said, placeholder)
        await attachments.keep(db, draft.id, said, to_ts(clock.now()))
        if description is None:
            if said.location is not None:
                return Progress(Step.LOCATION_NOTED, draft)
            raise Refusal("reports.empty")
        photo_file_id = said.photo_file_id
        await store.update_draft(
            db,
            draft.id,
            description=description,
            photo_file_id=draft.photo_file_id or photo_file_id,
        )
        draft = draft.model_copy(
            update={
                "description": description,
                "photo_file_id": draft.photo_file_id or photo_file_id,
            }
        )
        return await _then(await _next(db, clock, config, draft), then)


async def file_complete(
    db: Database,
    clock: Clock,
    config: Config,
    *,
    chat_id: int,
    message_id: int,
    tg_user_id: int,
    name: str,
    category: str,
    description: str,
    private: bool,
    for_household: OnBehalf | None = None,
    then: Then[Filed] | None = None,
) -> Filed | None:
    """File a report whose category and description are known (from a questionnaire or a
    policy question) at once; None when this message was filed already. `for_household`:
    a worker files it for the household (代填), `name` being the household head's. `then`
    (the caller's notices of it) runs in the filing's transaction."""
    async with db.transaction():
        text = clean_description(config, description)
        if text is None:
            raise Refusal("reports.empty")
        if config.category(category) is None:
            raise Refusal("reports.draft_gone")
        if for_household is not None:
            micro_grid_id = for_household.micro_grid_id
        else:
            micro_grid, _ = await _micro_grid_for(db, chat_id, tg_user_id, private)
            if not private and not await group_store.is_member(db, chat_id, tg_user_id):
                raise Refusal("reports.not_member")
            micro_grid_id = micro_grid.id
        draft = await store.add_draft(
            db,
            chat_id,
            message_id,
            tg_user_id,
            name,
            micro_grid_id,
            text,
            None,
            to_ts(clock.now()),
            for_household,
        )
        if draft is None:
            return None
        await store.update_draft(db, draft.id, category=category)
        filed = await _file(db, clock, config, draft.model_copy(update={"category": category}))
        if then is not None:
            await then(filed)
        return filed


async def waiting_after_upgrade(
    db: Database, clock: Clock, config: Config, chat_id: int
) -> list[Progress]:
    """Reports being filed when the group became this supergroup, with the question to ask
    again: the old one stayed behind in the old group. Drafts idle longer than a flow may
    be are forgotten."""
    since = to_ts(clock.now() - config.flows.timeout)
    async with db.reading():
        drafts = await store.unfinished_drafts(db, chat_id, since)
    return [
        Progress(Step.ASK_CATEGORY if d.category is None else Step.ASK_DESCRIPTION, d)
        for d in drafts
    ]


async def asked(db: Database, draft_id: int, question_message_id: int) -> None:
    """Remember the bot's description question, so the reply finds its draft."""
    async with db.transaction():
        await store.update_draft(db, draft_id, question_message_id=question_message_id)


async def _then(progress: Progress, then: Then[Progress] | None) -> Progress:
    """Run the caller's `then` on the filing's progress, still in its transaction."""
    if then is not None:
        await then(progress)
    return progress


async def _next(db: Database, clock: Clock, config: Config, draft: Draft) -> Progress:
    if draft.category is None:
        return Progress(Step.ASK_CATEGORY, draft)
    if draft.description is None:
        return Progress(Step.ASK_DESCRIPTION, draft)
    filed = await _file(db, clock, config, draft)
    return Progress(Step.FILED, draft, filed)


async def _file(db: Database, clock: Clock, config: Config, draft: Draft) -> Filed:
    micro_grid = await grid.unit_by_id(db, draft.micro_grid_id)
    assert micro_grid is not None
    route = await route_from(db, micro_grid, Level.MICRO_GRID)
    now = clock.now()
    mover, action = Mover(f"tg:{draft.reporter_tg_id}"), "report.file"
    if draft.recorded_by_staff_id is not None:
        # Filed for a household by its worker (代报): the household is the reporter.
        household_id = draft.household_id
        staff = await grid.staff_by_id(db, draft.recorded_by_staff_id)
        assert staff is not None
        mover, action = Mover(f"staff:{staff.code}", staff.id, staff.level), "report.file_for"
    else:
        household = await households_link.household_of(db, draft.reporter_tg_id)
        in_this = household is not None and household.micro_grid_id == micro_grid.id
        household_id = household.id if household is not None and in_this else None
    due = now + config.reports.deadlines.at(route.level).accept_within
    # In a county, a report may climb past its town only when the county says so.
    in_county = micro_grid.ancestor(Level.COUNTY) is not None
    top = Level.COUNTY if config.reports.escalate_to_county and in_county else Level.TOWN
    report = await store.add_report(
        db, draft, household_id, route.level, route.unit.id, due, to_ts(now), top
    )
    filed = CaseEvent("filed", None, Status.NEW, route.level, mover, now)
    await attachments.filed_as(db, draft.id, report.id)
    await cases.add_event(db, Kind.REPORT, report.id, filed)
    await audit.record(
        db,
        to_ts(now),
        mover.label,
        action,
        "report",
        report.id,
        level=int(route.level),
        unit=route.unit.code,
    )
    return Filed(report=report, route=route, micro_grid=micro_grid)
