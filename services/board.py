"""The board: which village a reader sees, and a page of its open reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.storage import attachments, grid
from bot.storage import board as store
from bot.storage.board import BoardRow
from bot.storage.db import Database
from models.attachments import Attachment
from models.errors import Refusal
from models.permissions import Action, Actor, may, sees_village
from models.reports import county_form, report_number
from models.supervision import supervisable
from models.units import Level, Unit
from services import supervision
from services.groups import bound_micro_grid
from services.supervision import Marks

PAGE_SIZE = 8


@dataclass(frozen=True)
class Board:
    """A page of a village's board; `detailed` holds the reports this reader sees in full."""

    village: Unit
    rows: list[BoardRow]
    total: int
    page: int
    pages: int
    detailed: frozenset[int]
    at: datetime
    marks: dict[int, Marks] = field(default_factory=dict)  # supervision (督办), urge count
    supervisable: tuple[int, ...] = ()  # the reports this reader may supervise now
    # The recordings and locations of the page's reports (shown as markers), by report.
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)
    county_numbers: bool = False  # numbers in the county form (DTY-178): a county cadre reads

    def number(self, row: BoardRow) -> str:
        """A row's report number in the reader's form."""
        return report_number(row.number, row.town_short, self.county_numbers)


async def _page(
    db: Database, village: Unit, page: int, detailed_for: Actor | None, now: datetime
) -> Board:
    total = await store.open_count(db, village.id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await store.open_page(db, village.id, PAGE_SIZE, page * PAGE_SIZE)
    held = {u.id for u in detailed_for.units} if detailed_for is not None else set()
    detailed = frozenset(r.id for r in rows if held.intersection(r.lineage))
    marks = await supervision.marks(db, [r.id for r in rows])
    cadre = detailed_for is not None and may(detailed_for, Action.SUPERVISE)
    waiting = {i for i, m in marks.items() if m.supervision is not None and m.supervision.waiting}
    can = tuple(
        r.id
        for r in rows
        if cadre
        and r.id in detailed
        and supervisable(r.status, r.supervision_wanted)
        and r.id not in waiting
    )
    return Board(
        village=village,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        detailed=detailed,
        at=now,
        marks=marks,
        supervisable=can,
        attachments=await attachments.of_reports(db, [r.id for r in rows]),
        county_numbers=county_form(detailed_for.level if detailed_for is not None else None),
    )


async def village_of_group(db: Database, chat_id: int) -> Unit:
    """The village of the micro-grid this group is bound to."""
    micro_grid = await bound_micro_grid(db, chat_id)
    if micro_grid is None:
        raise Refusal("board.group_unbound")
    village = await grid.unit_by_id(db, micro_grid.ancestor(Level.VILLAGE) or 0)
    if village is None:
        raise Refusal("board.group_unbound")
    return village


async def group_board(
    db: Database, clock: Clock, chat_id: int, page: int, village_id: int | None = None
) -> Board:
    """The board of the group's own village, without personal data (anyone in the group)."""
    async with db.transaction():
        village = await village_of_group(db, chat_id)
        if village_id is not None and village_id != village.id:
            raise Refusal("board.outside")
        return await _page(db, village, page, None, clock.now())


async def staff_villages(db: Database, actor: Actor) -> list[Unit]:
    """The villages whose board a staff member may open, by code (a county cadre: the
    towns, to choose one first)."""
    found: dict[int, Unit] = {}
    for held in actor.units:
        if held.level is Level.COUNTY:
            for town in await grid.subtree(db, held, Level.TOWN):
                found[town.id] = town
        elif held.level is Level.TOWN:
            for village in await grid.subtree(db, held, Level.VILLAGE):
                found[village.id] = village
        else:
            own = await grid.unit_by_id(db, held.ancestor(Level.VILLAGE) or 0)
            if own is not None and own.active:
                found[own.id] = own
    return sorted(found.values(), key=lambda u: u.code)


async def staff_board(
    db: Database, clock: Clock, actor: Actor, village_id: int | None, page: int
) -> Board | list[Unit]:
    """A village's board for staff, or the villages to choose from when there are several."""
    async with db.transaction():
        if not may(actor, Action.BOARD):
            raise Refusal("board.residents_in_group")
        if village_id is None:
            villages = await staff_villages(db, actor)
            if not villages:
                raise Refusal("board.no_village")
            if len(villages) > 1:
                return villages
            village: Unit | None = villages[0]
        else:
            village = await grid.unit_by_id(db, village_id)
            if village is not None and village.level is Level.TOWN and actor.covers(village):
                # A county cadre chose a town: its villages to choose from.
                return await grid.subtree(db, village, Level.VILLAGE)
        if (
            village is None
            or village.level is not Level.VILLAGE
            or not sees_village(actor, village)
        ):
            raise Refusal("board.outside")
        return await _page(db, village, page, actor, clock.now())
