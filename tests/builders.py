"""Test data by name: reports, their history and digest rows.

Tests say what matters to the rule they check (`status="closed", on_spot=True`) and leave the
rest to defaults, so a new column means changing one builder, not every test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot.clock import to_ts
from bot.storage.db import Database
from models.digest import ReportCount
from models.reports import Status

_message_ids: Iterator[int] = itertools.count(1)


def count(
    sub_id: int,
    category: str,
    status: Status,
    *,
    on_spot: bool = False,
    overdue: bool = False,
    total: int = 1,
    in_period: int = 0,
    on_visits: int = 0,
    on_visits_in_period: int = 0,
) -> ReportCount:
    """One aggregated digest row: `total` reports of a sub-unit, category and status
    (`on_visits` of them filed for a household on a visit)."""
    return ReportCount(
        sub_id, category, status, on_spot, overdue, total, in_period, on_visits, on_visits_in_period
    )


async def _id(db: Database, table: str, code: str | None) -> int | None:
    if code is None:
        return None
    found = await db.scalar(f"SELECT id FROM {table} WHERE code = ?", (code,))
    assert found is not None, f"no {table} with code {code}"
    return int(found)


async def put_report(
    db: Database,
    *,
    created: datetime,
    micro_grid: str = "M1",
    number: int | None = None,
    category: str = "other",
    description: str = "x",
    status: str = "new",
    level: int = 4,
    unit: str | None = None,
    owner: str | None = None,
    reporter_tg_id: int = 1,
    reporter_name: str = "r",
    household: str | None = None,
    on_spot: bool = False,
    overdue: bool = False,
    reopens: int = 0,
    in_time: bool | None = None,
    accepted: datetime | None = None,
    resolved: datetime | None = None,
    updated: datetime | None = None,
    town_seq: int | None = None,
) -> int:
    """A report row as the filing and its moves would have left it; its number."""
    micro_grid_id = await _id(db, "units", micro_grid)
    row: dict[str, Any] = {
        "id": number,
        "micro_grid_id": micro_grid_id,
        "category": category,
        "description": description,
        "reporter_tg_id": reporter_tg_id,
        "reporter_name": reporter_name,
        "household_id": await _id(db, "households", household),
        "source_chat_id": -1,
        "source_message_id": number if number is not None else next(_message_ids) + 100_000,
        "status": str(status),
        "level": level,
        "unit_id": await _id(db, "units", unit) if unit else micro_grid_id,
        "owner_staff_id": await _id(db, "staff", owner),
        "solved_on_spot": int(on_spot),
        "overdue": int(overdue),
        "reopen_count": reopens,
        "accepted_in_time": None if in_time is None else int(in_time),
        "created_at": to_ts(created),
        "updated_at": to_ts(updated or resolved or accepted or created),
        "accepted_at": to_ts(accepted) if accepted else None,
        "resolved_at": to_ts(resolved) if resolved else None,
        "town_seq": town_seq,  # the number within the town (else the filing's own)
        # The town whose number it carries, as filing sets it.
        "town_id": await db.scalar("SELECT l1_id FROM units WHERE id = ?", (micro_grid_id,)),
    }
    columns = [name for name, value in row.items() if value is not None or name == "id"]
    if number is None:
        columns.remove("id")
    marks = ", ".join("?" for _ in columns)
    async with db.transaction():
        return await db.execute(
            f"INSERT INTO reports ({', '.join(columns)}) VALUES ({marks})",
            tuple(row[name] for name in columns),
        )


async def put_event(
    db: Database,
    report: int,
    action: str,
    *,
    at: datetime,
    before: str | None,
    after: str = "x",
    level: int = 4,
    by: str | None = None,
    note: str = "",
) -> None:
    """One step of a report's history, by a staff member's code or (None) the resident."""
    staff_id = await _id(db, "staff", by)
    actor = f"staff:{by}" if by else "tg:1"
    await db.execute(
        "INSERT INTO case_events (kind, case_id, at, action, from_status, to_status, level, "
        "actor, staff_id, note) VALUES ('report', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (report, to_ts(at), action, before, after, level, actor, staff_id, note),
    )


async def put_group(
    db: Database, chat_id: int, micro_grid: str, *, members: tuple[int, ...] = ()
) -> None:
    """A micro-grid's group chat, bound, with residents (Telegram user ids) in it."""
    micro_grid_id = await _id(db, "units", micro_grid)
    async with db.transaction():
        await db.execute(
            "INSERT INTO groups (chat_id, title, micro_grid_id, active, added_at, updated_at) "
            "VALUES (?, 'g', ?, 1, 0, 0)",
            (chat_id, micro_grid_id),
        )
        for user in members:
            await db.execute("INSERT INTO group_members VALUES (?, ?, 1, 0)", (chat_id, user))


async def link_staff(db: Database, telegram_ids: dict[str, int]) -> None:
    """Staff members (by code) who have linked their Telegram accounts."""
    async with db.transaction():
        for code, tg_user_id in telegram_ids.items():
            await db.execute("UPDATE staff SET tg_user_id = ? WHERE code = ?", (tg_user_id, code))
