"""A report's recording and location while it is filed and afterwards: the limits, what a
message says toward a description, and keeping it with the draft. Every way of filing uses
this (a resident's /report, a worker filing for a household), never a handler's own copy."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from bot.config import Config
from bot.storage import attachments as store
from bot.storage.db import Database
from bot.texts import Lang
from models.attachments import (
    Attachment,
    AttachmentKind,
    RecordingLimits,
    check_recording,
    clock_time,
    coordinates,
)
from models.errors import Refusal


@dataclass(frozen=True)
class Said:
    """What one message says toward a report: words (a text or a caption), a photo, and a
    recording or a location (Telegram delivers at most one of them per message)."""

    text: str | None = None
    photo_file_id: str | None = None
    attachment: Attachment | None = None

    @property
    def recording(self) -> Attachment | None:
        """The voice, audio or video note said, if any."""
        a = self.attachment
        return a if a is not None and a.is_recording else None

    @property
    def location(self) -> Attachment | None:
        """The location shared, if any."""
        a = self.attachment
        return a if a is not None and not a.is_recording else None


def carried(said: Said) -> str | None:
    """What a message carries besides its words (photo, recording, location) as JSON
    references, to keep while a flow goes on; None when it carries nothing."""
    if said.photo_file_id is None and said.attachment is None:
        return None
    attachment = asdict(said.attachment) if said.attachment is not None else None
    return json.dumps({"photo": said.photo_file_id, "attachment": attachment})


def said_with(text: str | None, kept: str | None) -> Said:
    """Words together with what `carried` kept."""
    if not kept:
        return Said(text)
    found = json.loads(kept)
    raw = found.get("attachment")
    attachment = None
    if raw is not None:
        raw["kind"] = AttachmentKind(raw["kind"])
        attachment = Attachment(**raw)
    return Said(text, found.get("photo"), attachment)


def limits(config: Config) -> RecordingLimits:
    """The configured limits of a recording."""
    return RecordingLimits(config.reports.voice_max_seconds, config.reports.voice_max_bytes)


def description(config: Config, said: Said, placeholder: str) -> str | None:
    """The description this message gives: its words, else `placeholder` for a recording
    alone (so lists and digests read well), else None. Words too long and a recording past
    the limits are refused before anything is kept."""
    text = (said.text or "").strip()
    if len(text) > config.reports.max_length:
        raise Refusal("reports.too_long", limit=config.reports.max_length, length=len(text))
    if said.recording is not None:
        check_recording(limits(config), said.recording)
        return text or placeholder
    return text or None


async def keep(db: Database, draft_id: int, said: Said, at: int) -> None:
    """Keep the message's recording or location with the draft (after `description`
    accepted it)."""
    if said.attachment is not None:
        await store.attach(db, draft_id, said.attachment, at)


async def filed_as(db: Database, draft_id: int, report_id: int) -> None:
    """The draft became this report: its attachments are the report's."""
    await store.file_with(db, draft_id, report_id)


async def of_report(db: Database, report_id: int) -> list[Attachment]:
    """A report's recording and location (the recording first)."""
    async with db.reading():
        return await store.of_report(db, report_id)


async def of_reports(db: Database, report_ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of several reports, by report id."""
    async with db.reading():
        return await store.of_reports(db, report_ids)


async def of_draft(db: Database, draft_id: int) -> list[Attachment]:
    """What a draft carries so far."""
    async with db.reading():
        return await store.of_draft(db, draft_id)


def marker(t: Lang, attachment: Attachment, with_coordinates: bool = False) -> str:
    """One attachment's mark in the reader's language: 🎤 语音 0:35, 📍 位置."""
    if attachment.kind is AttachmentKind.LOCATION:
        if with_coordinates:
            return t("voice.marker_location_at", coordinates=coordinates(attachment))
        return t("voice.marker_location")
    return t(f"voice.marker_{attachment.kind.value}", length=clock_time(attachment.duration or 0))


def markers(t: Lang, attachments: list[Attachment], with_coordinates: bool = False) -> str:
    """All of a report's marks on one line ("" without any)."""
    return "  ".join(marker(t, a, with_coordinates) for a in attachments)
