"""The board (问题清单 / 整改情况): a village's open reports, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_ts
from bot.storage.db import Database
from models.reports import OPEN, Status
from models.units import Level

_OPEN = tuple(sorted(s.value for s in OPEN))
_MARKS = ",".join("?" * len(_OPEN))
# The open reports, and those waiting for supervision (even when closed).
_LISTED = f"(r.status IN ({_MARKS}) OR r.supervision_wanted = 1)"


@dataclass(frozen=True)
class BoardRow:
    """One open report as the board lists it (description and owner shown only to staff)."""

    id: int
    number: int  # within its town
    category: str
    created_at: datetime
    level: Level
    status: Status
    overdue: bool
    micro_grid: str
    lineage: tuple[int, ...]
    description: str
    owner: str | None
    supervision_wanted: bool = False  # 待督办: dissatisfied past the reopen limit
    town_short: str = ""  # its town's prefix (DTY), for the county's eyes


async def open_count(db: Database, village_id: int) -> int:
    """How many reports of the village are open."""
    return int(
        await db.scalar(
            "SELECT COUNT(*) FROM units u JOIN reports r ON r.micro_grid_id = u.id "
            f"WHERE u.l2_id = ? AND u.level = 4 AND {_LISTED}",
            (village_id, *_OPEN),
        )
        or 0
    )


async def open_page(db: Database, village_id: int, limit: int, offset: int) -> list[BoardRow]:
    """One page of the village's open reports: overdue first, then oldest first."""
    rows = await db.fetchall(
        "SELECT r.id, COALESCE(r.town_seq, r.id) AS number, r.category, r.created_at, "
        "r.level, r.status, r.overdue, u.name, "
        "u.l0_id, u.l1_id, u.l2_id, u.l3_id, u.l4_id, r.description, s.name AS owner, "
        "r.supervision_wanted, (SELECT t.short FROM units t WHERE t.id = u.l1_id) AS short "
        "FROM units u JOIN reports r ON r.micro_grid_id = u.id "
        "LEFT JOIN staff s ON s.id = r.owner_staff_id "
        f"WHERE u.l2_id = ? AND u.level = 4 AND {_LISTED} "
        "ORDER BY r.supervision_wanted DESC, r.overdue DESC, r.created_at, r.id "
        "LIMIT ? OFFSET ?",
        (village_id, *_OPEN, limit, offset),
    )
    return [
        BoardRow(
            id=r["id"],
            number=r["number"],
            category=r["category"],
            created_at=from_ts(r["created_at"]),
            level=Level(r["level"]),
            status=Status(r["status"]),
            overdue=bool(r["overdue"]),
            micro_grid=r["name"],
            lineage=tuple(
                i for i in (r["l0_id"], r["l1_id"], r["l2_id"], r["l3_id"], r["l4_id"]) if i
            ),
            description=r["description"],
            owner=r["owner"],
            supervision_wanted=bool(r["supervision_wanted"]),
            town_short=r["short"] or "",
        )
        for r in rows
    ]
