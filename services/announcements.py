"""Announcements: a cadre picks a unit, writes, confirms; delivery state lives in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock, to_ts
from bot.config import Config
from bot.storage import announcements as store
from bot.storage import audit, grid
from bot.storage.announcements import Announcement
from bot.storage.db import Database
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.text_limits import MAX_CAPTION, visible_len
from models.units import Level, Unit
from services import ledger
from services.ledger import Entry, Planned

# How long the bot waits for the text after a unit was chosen.
COMPOSE_WINDOW = timedelta(hours=1)
# A target group that is gone for good (bot removed, chat deleted): the ledger's error.
GONE = "gone"


def ledger_kind(announcement_id: int) -> str:
    """The kind of an announcement's deliveries in the send ledger (one per group)."""
    return f"announcement:{announcement_id}"


@dataclass(frozen=True)
class Choice:
    """A unit offered for an announcement, the units below it, and its active groups."""

    unit: Unit
    children: list[Unit]
    groups: int


@dataclass(frozen=True)
class Draft:
    """An announcement with its unit and how many groups it would reach."""

    announcement: Announcement
    unit: Unit
    groups: int


def _check(actor: Actor, unit: Unit | None) -> Unit:
    if not may(actor, Action.ANNOUNCE):
        raise Refusal("common.not_allowed")
    if unit is None or not unit.active or not may(actor, Action.ANNOUNCE, unit):
        raise Refusal("announce.outside")
    return unit


async def choice(db: Database, actor: Actor, unit_id: int | None) -> Choice:
    """A unit to announce to (the actor's own when none is given) and those below it."""
    async with db.transaction():
        if unit_id is None:
            held = sorted(
                (u for u in actor.units if u.level <= Level.VILLAGE),
                key=lambda u: (u.level, u.code),
            )
            unit = held[0] if held else None
        else:
            unit = await grid.unit_by_id(db, unit_id)
        unit = _check(actor, unit)
        children = await grid.children(db, unit.id) if unit.level < Level.MICRO_GRID else []
        groups = await store.active_groups_count(db, int(unit.level), unit.id)
    return Choice(unit=unit, children=children, groups=groups)


async def start(db: Database, clock: Clock, actor: Actor, unit_id: int) -> Draft:
    """Begin an announcement to `unit_id`: the bot now waits for its text."""
    async with db.transaction():
        unit = _check(actor, await grid.unit_by_id(db, unit_id))
        groups = await store.active_groups_count(db, int(unit.level), unit.id)
        if groups == 0:
            raise Refusal("announce.no_groups", unit=unit.name)
        assert actor.staff is not None
        new_id = await store.add(db, unit.id, actor.staff.id, actor.tg_user_id, to_ts(clock.now()))
        found = await store.get(db, new_id)
    assert found is not None
    return Draft(announcement=found, unit=unit, groups=groups)


async def composing(db: Database, clock: Clock, tg_user_id: int) -> bool:
    """Whether this person is writing the text of an announcement."""
    async with db.reading():
        since = to_ts(clock.now() - COMPOSE_WINDOW)
        return await store.composing(db, tg_user_id, since) is not None


async def take_text(
    db: Database,
    clock: Clock,
    config: Config,
    tg_user_id: int,
    body_html: str,
    photo_file_id: str | None,
    header_length: int,
) -> Draft | None:
    """Keep the text for the announcement this person is writing; None when there is none."""
    async with db.transaction():
        since = to_ts(clock.now() - COMPOSE_WINDOW)
        draft = await store.composing(db, tg_user_id, since)
        if draft is None:
            return None
        # Counted as Telegram counts (UTF-16 units of the visible text): 😀 takes two.
        limit = (
            MAX_CAPTION - header_length if photo_file_id else config.cadre.announcements.max_length
        )
        if not body_html.strip() and not photo_file_id:
            raise Refusal("announce.empty")
        length = visible_len(body_html)
        if length > limit:
            raise Refusal("announce.too_long", limit=limit, length=length)
        await store.set_body(db, draft.id, body_html, photo_file_id)
        unit = await grid.unit_by_id(db, draft.unit_id)
        assert unit is not None
        groups = await store.active_groups_count(db, int(unit.level), unit.id)
        found = await store.get(db, draft.id)
    assert found is not None
    return Draft(announcement=found, unit=unit, groups=groups)


async def confirm(
    db: Database, clock: Clock, actor: Actor, announcement_id: int
) -> tuple[Announcement, int]:
    """Queue a previewed announcement for delivery; returns it and how many wait before it."""
    async with db.transaction():
        found = await store.get(db, announcement_id)
        if found is None or actor.staff is None or found.staff_id != actor.staff.id:
            raise Refusal("announce.not_yours")
        if found.status != "preview":
            raise Refusal("announce.already", status=found.status)
        unit = _check(actor, await grid.unit_by_id(db, found.unit_id))
        now = to_ts(clock.now())
        chats = await store.active_group_ids(db, int(unit.level), unit.id)
        targets = [Planned(recipient=f"chat:{chat}", chat_id=chat) for chat in chats]
        await ledger.record(db, clock, ledger_kind(found.id), "", targets)
        total = sum((await ledger.counts(db, ledger_kind(found.id))).values())
        await store.set_total(db, found.id, total)
        await store.set_status(db, found.id, "queued", now, "queued_at")
        await audit.record(
            db,
            now,
            f"staff:{actor.staff.code}",
            "announcement.queue",
            "announcement",
            found.id,
            unit=unit.code,
            groups=total,
        )
        ahead = await store.ahead_of(db, found.id)
        queued = await store.get(db, found.id)
    assert queued is not None
    return queued, ahead


async def cancel(db: Database, clock: Clock, actor: Actor, announcement_id: int) -> None:
    """Drop an announcement that has not been confirmed."""
    async with db.transaction():
        found = await store.get(db, announcement_id)
        if found is None or actor.staff is None or found.staff_id != actor.staff.id:
            raise Refusal("announce.not_yours")
        if found.status not in store.DRAFTS:
            raise Refusal("announce.already", status=found.status)
        await store.set_status(db, found.id, "cancelled", to_ts(clock.now()), "finished_at")


async def next_to_deliver(db: Database, clock: Clock) -> Announcement | None:
    """The announcement to deliver now (marked running), or None when none waits."""
    async with db.transaction():
        found = await store.next_active(db)
        if found is not None and found.status == "queued":
            await store.set_status(db, found.id, "running", to_ts(clock.now()), "started_at")
            found = await store.get(db, found.id)
    if found is not None:
        await ledger.start_run(db, clock, ledger_kind(found.id), "")
    return found


async def recover(db: Database, announcement_id: int, process: str) -> int:
    """Groups a stopped process was sending this announcement to when it stopped: their
    outcome is unknown, so they are never sent it again (at most once per group). How many."""
    return await ledger.recover(db, process, ledger_kind(announcement_id))


async def claim_next(
    db: Database, clock: Clock, announcement_id: int, process: str
) -> Entry | None:
    """The next group to send this announcement to, in the fair order (each town's next
    group in turn), marked as being sent by `process` before anything goes out; None when
    no group waits."""
    claimed = await ledger.claim(db, clock, [ledger_kind(announcement_id)], process, 1)
    return claimed[0] if claimed else None


async def record(
    db: Database,
    clock: Clock,
    entry: Entry,
    ok: bool,
    error: str = "",
    message_id: int | None = None,
) -> None:
    """Record one group's outcome as soon as it is known."""
    if ok:
        await ledger.mark_sent(db, clock, entry.id, message_id)
    else:
        await ledger.mark_failed(db, clock, entry.id, error)


async def progress(db: Database, announcement_id: int) -> dict[str, int]:
    """How many groups are pending, being sent, sent, failed, of unknown outcome (being
    sent when a process stopped) and done (all three), and how many of the failed are gone."""
    async with db.transaction():
        found = await ledger.counts(db, ledger_kind(announcement_id))
        gone = await ledger.failed_with(db, ledger_kind(announcement_id), GONE)
    unknown = found.get("unknown", 0)
    return {
        "pending": found["pending"],
        "sending": found.get("sending", 0),
        "sent": found["sent"],
        "failed": found["failed"],
        "unknown": unknown,
        "done": found["sent"] + found["failed"] + unknown,
        "gone": len(gone),
    }


async def remember_progress_message(db: Database, announcement_id: int, message_id: int) -> None:
    """Keep the id of the cadre's progress message (edited as delivery goes on)."""
    async with db.transaction():
        await store.set_progress_message(db, announcement_id, message_id)


async def finish(db: Database, clock: Clock, announcement_id: int) -> dict[str, int]:
    """Close a delivered announcement; groups found gone become inactive. Returns counts."""
    async with db.transaction():
        now = to_ts(clock.now())
        failed = await ledger.failed_with(db, ledger_kind(announcement_id), GONE)
        gone = await store.deactivate_groups(db, [e.chat_id for e in failed if e.chat_id], now)
        for chat_id in gone:
            await audit.record(
                db, now, "system", "group.gone", "group", chat_id, announcement=announcement_id
            )
        await store.set_status(db, announcement_id, "done", now, "finished_at")
        return await progress(db, announcement_id)


async def unit_of(db: Database, announcement: Announcement) -> Unit | None:
    """The unit an announcement goes to."""
    async with db.transaction():
        return await grid.unit_by_id(db, announcement.unit_id)
