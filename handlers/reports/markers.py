"""The marks a report's recording and location leave in texts: 🎤 voice 0:35, 📍 location."""

from __future__ import annotations

from bot.texts import Lang
from models.attachments import Attachment, AttachmentKind, clock_time, coordinates


def marker(t: Lang, attachment: Attachment, with_coordinates: bool = False) -> str:
    """One attachment's mark in the reader's language."""
    if attachment.kind is AttachmentKind.LOCATION:
        if with_coordinates:
            return t("voice.marker_location_at", coordinates=coordinates(attachment))
        return t("voice.marker_location")
    return t(f"voice.marker_{attachment.kind.value}", length=clock_time(attachment.duration or 0))


def markers(t: Lang, attachments: list[Attachment], with_coordinates: bool = False) -> str:
    """All of a report's marks on one line ("" without any)."""
    return "  ".join(marker(t, a, with_coordinates) for a in attachments)
