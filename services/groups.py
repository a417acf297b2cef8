"""Groups: the bot joining and leaving, binding a group to its micro-grid, the contact card."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, to_ts
from bot.storage import audit, grid
from bot.storage import groups as store
from bot.storage.db import Database
from bot.storage.groups import Group
from models.errors import Refusal
from models.permissions import Action, Actor, may
from models.units import Level, Staff, Unit


@dataclass(frozen=True)
class Binding:
    """The outcome of /bind: the micro-grid, and the group it was taken from, if any."""

    unit: Unit
    moved_from: int | None
    previous_unit: Unit | None


@dataclass(frozen=True)
class ContactCard:
    """Everything the group's contact card shows."""

    micro_grid: Unit
    grid: Unit | None
    village: Unit | None
    town: Unit | None
    workers: list[Staff]
    grid_workers: list[Staff]
    village_cadres: list[Staff]


async def bot_added(db: Database, clock: Clock, chat_id: int, title: str) -> Group:
    """The bot joined (or re-joined) a group; returns its record."""
    async with db.transaction():
        await store.upsert_group(db, chat_id, title, to_ts(clock.now()))
        await audit.record(db, to_ts(clock.now()), "system", "group.added", "group", chat_id)
        group = await store.group(db, chat_id)
    assert group is not None
    return group


async def bot_removed(db: Database, clock: Clock, chat_id: int) -> bool:
    """The bot was removed from a group: it becomes inactive. True when it was active."""
    async with db.transaction():
        changed = await store.set_inactive(db, chat_id, to_ts(clock.now()))
        if changed:
            await audit.record(db, to_ts(clock.now()), "system", "group.removed", "group", chat_id)
    return changed


async def migrated(db: Database, clock: Clock, old_chat_id: int, new_chat_id: int) -> bool:
    """Telegram upgraded a group to a supergroup: keep its binding under the new id."""
    async with db.transaction():
        moved = await store.migrate(db, old_chat_id, new_chat_id, to_ts(clock.now()))
        if moved:
            await audit.record(
                db,
                to_ts(clock.now()),
                "system",
                "group.migrated",
                "group",
                new_chat_id,
                old_chat_id=old_chat_id,
            )
    return moved


async def bind_group(
    db: Database, clock: Clock, actor: Actor, chat_id: int, title: str, code: str
) -> Binding:
    """Bind this group to the micro-grid with `code`, if the actor may."""
    async with db.transaction():
        if not actor.is_staff:
            raise Refusal("groups.bind_denied")
        unit = await grid.unit_by_code(db, code.strip())
        if unit is None or not unit.active:
            raise Refusal("groups.unknown_code", code=code)
        if unit.level is not Level.MICRO_GRID:
            raise Refusal("groups.not_micro_grid", code=code, name=unit.name)
        if not may(actor, Action.BIND_GROUP, unit):
            raise Refusal("groups.bind_outside", name=unit.name)
        here = await store.group(db, chat_id)
        if here is not None and here.micro_grid_id == unit.id:
            raise Refusal("groups.already_bound_here", name=unit.name)
        previous = None
        if here is not None and here.micro_grid_id is not None:
            previous = await grid.unit_by_id(db, here.micro_grid_id)
        # Taking a group away from its micro-grid needs authority over that one too.
        if previous is not None and not may(actor, Action.BIND_GROUP, previous):
            raise Refusal("groups.bind_taken", name=previous.name)
        now = to_ts(clock.now())
        await store.upsert_group(db, chat_id, title, now)
        holder = await store.group_of_micro_grid(db, unit.id)
        assert actor.staff is not None
        await store.bind(db, chat_id, unit.id, actor.staff.id, now)
        moved_from = holder.chat_id if holder is not None and holder.active else None
        await audit.record(
            db,
            now,
            f"staff:{actor.staff.code}",
            "group.bind",
            "group",
            chat_id,
            micro_grid=unit.code,
            moved_from=moved_from,
        )
    return Binding(unit=unit, moved_from=moved_from, previous_unit=previous)


async def bound_micro_grid(db: Database, chat_id: int) -> Unit | None:
    """The micro-grid an active group is bound to."""
    group = await store.group(db, chat_id)
    if group is None or not group.active or group.micro_grid_id is None:
        return None
    return await grid.unit_by_id(db, group.micro_grid_id)


async def contact_card(db: Database, micro_grid: Unit) -> ContactCard:
    """The contact card of a micro-grid: its worker, grid worker and village office."""
    async with db.reading():
        return await _contact_card(db, micro_grid)


async def _contact_card(db: Database, micro_grid: Unit) -> ContactCard:
    line = {u.level: u for u in await grid.lineage(db, micro_grid)}
    grid_unit = line.get(Level.GRID)
    village = line.get(Level.VILLAGE)
    return ContactCard(
        micro_grid=micro_grid,
        grid=grid_unit,
        village=village,
        town=line.get(Level.TOWN),
        workers=await grid.staff_of_unit(db, micro_grid.id),
        grid_workers=await grid.staff_of_unit(db, grid_unit.id) if grid_unit else [],
        village_cadres=await grid.staff_of_unit(db, village.id) if village else [],
    )


async def card_for_chat(db: Database, chat_id: int) -> ContactCard | None:
    """The contact card of the micro-grid this group is bound to."""
    async with db.transaction():
        unit = await bound_micro_grid(db, chat_id)
        return await contact_card(db, unit) if unit else None


async def remember_card(db: Database, chat_id: int, message_id: int | None) -> None:
    """Store the id of the pinned card message."""
    async with db.transaction():
        await store.set_card_message(db, chat_id, message_id)


async def unit_by_id(db: Database, unit_id: int) -> Unit | None:
    """A unit of the grid by id (None: no such one)."""
    async with db.reading():
        return await grid.unit_by_id(db, unit_id)


async def group_of_micro_grid(db: Database, micro_grid_id: int) -> Group | None:
    """The group bound to a micro-grid (None: none yet)."""
    async with db.reading():
        return await store.group_of_micro_grid(db, micro_grid_id)
