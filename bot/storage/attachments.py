"""A report's recording and location: kept per draft while it is filed, then per report."""

from __future__ import annotations

import sqlite3

from bot.storage.db import Database
from models.attachments import Attachment, AttachmentKind

_COLS = "kind, file_id, file_unique_id, duration, size, mime_type, latitude, longitude"


def _attachment(row: sqlite3.Row) -> Attachment:
    return Attachment(
        kind=AttachmentKind(row["kind"]),
        file_id=row["file_id"],
        file_unique_id=row["file_unique_id"],
        duration=row["duration"],
        size=row["size"],
        mime_type=row["mime_type"],
        latitude=row["latitude"],
        longitude=row["longitude"],
    )


async def attach(db: Database, draft_id: int, attachment: Attachment, at: int) -> None:
    """Keep a draft's recording or location (a later one of the same slot replaces it)."""
    slot = "recording" if attachment.is_recording else "location"
    await db.execute(
        f"INSERT INTO report_attachments (draft_id, slot, {_COLS}, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (draft_id, slot) DO UPDATE SET kind = excluded.kind, "
        "file_id = excluded.file_id, file_unique_id = excluded.file_unique_id, "
        "duration = excluded.duration, size = excluded.size, mime_type = excluded.mime_type, "
        "latitude = excluded.latitude, longitude = excluded.longitude",
        (
            draft_id,
            slot,
            attachment.kind.value,
            attachment.file_id,
            attachment.file_unique_id,
            attachment.duration,
            attachment.size,
            attachment.mime_type,
            attachment.latitude,
            attachment.longitude,
            at,
        ),
    )


async def of_draft(db: Database, draft_id: int) -> list[Attachment]:
    """A draft's attachments, the recording first."""
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM report_attachments WHERE draft_id = ? ORDER BY slot DESC",
        (draft_id,),
    )
    return [_attachment(r) for r in rows]


async def file_with(db: Database, draft_id: int, report_id: int) -> None:
    """The draft became this report: its attachments are the report's."""
    await db.execute(
        "UPDATE report_attachments SET report_id = ? WHERE draft_id = ?", (report_id, draft_id)
    )


async def of_report(db: Database, report_id: int) -> list[Attachment]:
    """A report's attachments, the recording first."""
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM report_attachments WHERE report_id = ? ORDER BY slot DESC",
        (report_id,),
    )
    return [_attachment(r) for r in rows]


async def of_reports(db: Database, report_ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of several reports at once (for lists and exports)."""
    found: dict[int, list[Attachment]] = {}
    for start in range(0, len(report_ids), 500):
        chunk = report_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = await db.fetchall(
            f"SELECT report_id, {_COLS} FROM report_attachments "
            f"WHERE report_id IN ({marks}) ORDER BY report_id, slot DESC",
            chunk,
        )
        for row in rows:
            found.setdefault(row["report_id"], []).append(_attachment(row))
    return found
