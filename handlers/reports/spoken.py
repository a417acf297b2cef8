"""What a message brings to a report besides words: its recording or location, read from
the Telegram message into the filing service's `Said`."""

from __future__ import annotations

from datetime import timedelta

from telegram import Message
from telegram.ext import filters

from models.attachments import Attachment, AttachmentKind
from services.reports.attachments import Said

RECORDINGS = filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE
# What may answer the description question (besides text and a photo).
ATTACHED = RECORDINGS | filters.LOCATION
# A photo or a recording whose caption is a /report command (CommandHandler reads only text).
REPORT_CAPTION = (filters.PHOTO | filters.VOICE | filters.AUDIO) & filters.CaptionRegex(
    r"^/report(@\w+)?(\s|$)"
)


def attachment_of(message: Message) -> Attachment | None:
    """The message's recording or location, as the report keeps it."""
    if message.location is not None:
        return Attachment(
            AttachmentKind.LOCATION,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
        )
    for kind in (AttachmentKind.VOICE, AttachmentKind.AUDIO, AttachmentKind.VIDEO_NOTE):
        media = getattr(message, kind.value)
        if media is not None:
            return Attachment(
                kind,
                file_id=media.file_id,
                file_unique_id=media.file_unique_id,
                duration=_seconds(media.to_dict().get("duration")),
                size=media.file_size,
                mime_type=getattr(media, "mime_type", None),
            )
    return None


def _seconds(duration: object) -> int | None:
    # As Telegram sent it (whole seconds): the attribute warns of its coming type change.
    if isinstance(duration, timedelta):
        return int(duration.total_seconds())
    return duration if isinstance(duration, int) else None


def said_of(message: Message, text: str | None) -> Said:
    """What this message says toward a report; `text` is its words (a command's already cut)."""
    photo = message.photo[-1].file_id if message.photo else None
    return Said(text, photo, attachment_of(message))
