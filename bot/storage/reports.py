"""Reports, their drafts, history, notices and applied button presses."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from bot.clock import from_ts, to_ts
from bot.storage.cases import record_fields
from bot.storage.db import Database
from models.reports import Report, Status
from models.units import Level

_COLS = (
    "id, micro_grid_id, category, description, photo_file_id, reporter_tg_id, reporter_name, "
    "household_id, source_chat_id, source_message_id, status, level, unit_id, owner_staff_id, "
    "escalations, reopen_count, solved_on_spot, overdue, duplicate_of, accept_due_at, "
    "resolve_due_at, confirm_due_at, supervision_wanted, created_at, updated_at, "
    "recorded_by_staff_id, collected_on, town_id, town_seq, top_level, "
    "(SELECT u.short FROM units u WHERE u.id = town_id) AS town_short, "
    "(SELECT d.town_seq FROM reports d WHERE d.id = reports.duplicate_of) AS duplicate_seq"
)
# A report filed for a household by its worker has no Telegram reporter.
NO_TELEGRAM_REPORTER = 0


def _ts(value: int | None) -> datetime | None:
    return None if value is None else from_ts(value)


def report_from_row(row: sqlite3.Row) -> Report:
    """A Report from a row selected with the report columns."""
    return Report(
        **record_fields(row),
        micro_grid_id=row["micro_grid_id"],
        category=row["category"],
        description=row["description"],
        photo_file_id=row["photo_file_id"],
        reporter_tg_id=row["reporter_tg_id"],
        reporter_name=row["reporter_name"],
        household_id=row["household_id"],
        source_chat_id=row["source_chat_id"],
        source_message_id=row["source_message_id"],
        status=Status(row["status"]),
        level=Level(row["level"]),
        unit_id=row["unit_id"],
        reopen_count=row["reopen_count"],
        solved_on_spot=bool(row["solved_on_spot"]),
        duplicate_of=row["duplicate_of"],
        accept_due_at=_ts(row["accept_due_at"]),
        resolve_due_at=_ts(row["resolve_due_at"]),
        confirm_due_at=_ts(row["confirm_due_at"]),
        supervision_wanted=bool(row["supervision_wanted"]),
        recorded_by_staff_id=row["recorded_by_staff_id"],
        collected_on=row["collected_on"],
        top=Level(row["top_level"]),
        town_id=row["town_id"],
        town_seq=row["town_seq"] or 0,
        duplicate_seq=row["duplicate_seq"] or 0,
        town_short=row["town_short"] or "",
    )


class Draft(BaseModel):
    """A report still being filed."""

    id: int
    chat_id: int
    message_id: int
    reporter_tg_id: int
    reporter_name: str
    micro_grid_id: int
    category: str | None
    description: str | None
    photo_file_id: str | None
    question_message_id: int | None
    report_id: int | None
    # Filed for a household by its worker (then reporter_tg_id is the worker's, who answers
    # the draft's questions): the household, the worker, and where it was collected.
    household_id: int | None = None
    recorded_by_staff_id: int | None = None
    collected_on: str | None = None


_DRAFT_COLS = (
    "id, chat_id, message_id, reporter_tg_id, reporter_name, micro_grid_id, category, "
    "description, photo_file_id, question_message_id, report_id, household_id, "
    "recorded_by_staff_id, collected_on"
)


class OnBehalf(BaseModel):
    """A draft filed for a household by its worker."""

    household_id: int
    micro_grid_id: int
    staff_id: int
    collected_on: str | None


async def add_draft(
    db: Database,
    chat_id: int,
    message_id: int,
    reporter_tg_id: int,
    reporter_name: str,
    micro_grid_id: int,
    description: str | None,
    photo_file_id: str | None,
    at: int,
    for_household: OnBehalf | None = None,
) -> Draft | None:
    """Start a draft for this /report message; None when this message already has one."""
    row = await db.fetchone(
        "INSERT OR IGNORE INTO report_drafts (chat_id, message_id, reporter_tg_id, "
        "reporter_name, micro_grid_id, description, photo_file_id, created_at, household_id, "
        "recorded_by_staff_id, collected_on) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_DRAFT_COLS}",
        (
            chat_id,
            message_id,
            reporter_tg_id,
            reporter_name,
            micro_grid_id,
            description,
            photo_file_id,
            at,
            for_household.household_id if for_household else None,
            for_household.staff_id if for_household else None,
            for_household.collected_on if for_household else None,
        ),
    )
    return Draft(**dict(row)) if row else None


async def draft(db: Database, draft_id: int) -> Draft | None:
    """The draft with this id."""
    row = await db.fetchone(f"SELECT {_DRAFT_COLS} FROM report_drafts WHERE id = ?", (draft_id,))
    return Draft(**dict(row)) if row else None


async def draft_of_message(db: Database, chat_id: int, message_id: int) -> Draft | None:
    """The draft started by this /report message."""
    row = await db.fetchone(
        f"SELECT {_DRAFT_COLS} FROM report_drafts WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return Draft(**dict(row)) if row else None


async def draft_by_question(db: Database, chat_id: int, question_id: int) -> Draft | None:
    """The draft whose description question is this bot message."""
    row = await db.fetchone(
        f"SELECT {_DRAFT_COLS} FROM report_drafts WHERE chat_id = ? AND question_message_id = ?",
        (chat_id, question_id),
    )
    return Draft(**dict(row)) if row else None


async def waiting_description(
    db: Database, chat_id: int, reporter_tg_id: int, since: int
) -> Draft | None:
    """This person's newest draft in this chat whose description question was asked (since
    `since`) and is still unanswered."""
    row = await db.fetchone(
        f"SELECT {_DRAFT_COLS} FROM report_drafts WHERE chat_id = ? AND reporter_tg_id = ? "
        "AND report_id IS NULL AND question_message_id IS NOT NULL AND created_at >= ? "
        "ORDER BY id DESC LIMIT 1",
        (chat_id, reporter_tg_id, since),
    )
    return Draft(**dict(row)) if row else None


async def unfinished_drafts(db: Database, chat_id: int, since: int) -> list[Draft]:
    """Drafts of this chat started since `since` and not filed yet, oldest first."""
    rows = await db.fetchall(
        f"SELECT {_DRAFT_COLS} FROM report_drafts "
        "WHERE chat_id = ? AND report_id IS NULL AND created_at >= ? ORDER BY id",
        (chat_id, since),
    )
    return [Draft(**dict(row)) for row in rows]


async def update_draft(db: Database, draft_id: int, **fields: Any) -> None:
    """Change some fields of a draft."""
    sets = ", ".join(f"{name} = ?" for name in fields)
    await db.execute(f"UPDATE report_drafts SET {sets} WHERE id = ?", (*fields.values(), draft_id))


async def add_report(
    db: Database,
    d: Draft,
    household_id: int | None,
    level: Level,
    unit_id: int,
    accept_due_at: datetime,
    at: int,
    top: Level = Level.TOWN,
) -> Report:
    """File a complete draft as a new report (which may climb as far as `top`); returns it
    as stored (a draft filed for a household makes a report without a Telegram reporter,
    recorded by the worker)."""
    reporter = NO_TELEGRAM_REPORTER if d.recorded_by_staff_id else d.reporter_tg_id
    row = await db.fetchone(
        "INSERT INTO reports (micro_grid_id, category, description, photo_file_id, "
        "reporter_tg_id, reporter_name, household_id, source_chat_id, source_message_id, "
        "status, level, unit_id, accept_due_at, created_at, updated_at, recorded_by_staff_id, "
        "collected_on, top_level, town_id, town_seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, "
        # The town of the micro-grid, and the next number in that town.
        " (SELECT l1_id FROM units WHERE id = ?1),"
        " (SELECT COALESCE(MAX(r.town_seq), 0) + 1 FROM reports r"
        "   WHERE r.town_id = (SELECT l1_id FROM units WHERE id = ?1))) "
        f"RETURNING {_COLS}",
        (
            d.micro_grid_id,
            d.category,
            d.description,
            d.photo_file_id,
            reporter,
            d.reporter_name,
            household_id,
            d.chat_id,
            d.message_id,
            int(level),
            unit_id,
            to_ts(accept_due_at),
            at,
            at,
            d.recorded_by_staff_id,
            d.collected_on,
            int(top),
        ),
    )
    assert row is not None
    filed = report_from_row(row)
    await update_draft(db, d.id, report_id=filed.id)
    return filed


async def report(db: Database, report_id: int) -> Report | None:
    """The report with this id."""
    row = await db.fetchone(f"SELECT {_COLS} FROM reports WHERE id = ?", (report_id,))
    return report_from_row(row) if row else None


async def reports_numbered(db: Database, seq: int, town_id: int | None = None) -> list[Report]:
    """The reports whose number within their town is `seq` (one per town at most), only the
    one of `town_id` when given."""
    if town_id is not None:
        rows = await db.fetchall(
            f"SELECT {_COLS} FROM reports WHERE town_id = ? AND town_seq = ?", (town_id, seq)
        )
    else:
        # A row written without a town number (by hand) is found by its id.
        rows = await db.fetchall(
            f"SELECT {_COLS} FROM reports WHERE town_seq = ? OR (town_seq IS NULL AND id = ?)"
            " ORDER BY id",
            (seq, seq),
        )
    return [report_from_row(r) for r in rows]


async def reports_of(
    db: Database,
    reporter_tg_id: int,
    limit: int,
    source_chat_id: int | None = None,
    household_id: int | None = None,
) -> list[Report]:
    """A resident's latest reports (only those filed in `source_chat_id` if given), newest
    first; with `household_id`, also those a worker filed for that household."""
    where, args = "reporter_tg_id = ?", [reporter_tg_id]
    if household_id is not None:
        where = f"({where} OR (household_id = ? AND recorded_by_staff_id IS NOT NULL))"
        args.append(household_id)
    if source_chat_id is not None:
        where, args = where + " AND source_chat_id = ?", [*args, source_chat_id]
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM reports WHERE {where} ORDER BY id DESC LIMIT ?", (*args, limit)
    )
    return [report_from_row(r) for r in rows]


async def open_tasks(
    db: Database, staff_id: int, unit_ids: tuple[int, ...], limit: int
) -> list[Report]:
    """Open reports a staff member owns or that wait (new) at one of their units, oldest first."""
    marks = ",".join("?" * len(unit_ids)) or "NULL"
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM reports WHERE owner_staff_id = ? AND status = 'accepted' "
        f"UNION SELECT {_COLS} FROM reports WHERE status = 'new' AND unit_id IN ({marks}) "
        "ORDER BY created_at, id LIMIT ?",
        (staff_id, *unit_ids, limit),
    )
    return [report_from_row(r) for r in rows]
