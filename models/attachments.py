"""What a report carries besides its words: a recording (voice, audio, video note) and a
shared location. Only Telegram's references and the facts needed to show and re-send them
are kept, never a file's content."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.errors import Refusal


class AttachmentKind(StrEnum):
    """What is attached; the value is the Message field Telegram delivers it in."""

    VOICE = "voice"
    AUDIO = "audio"
    VIDEO_NOTE = "video_note"
    LOCATION = "location"


RECORDINGS = frozenset({AttachmentKind.VOICE, AttachmentKind.AUDIO, AttachmentKind.VIDEO_NOTE})

# The Bot API method that re-sends each recording by file_id, and its file parameter.
SEND_METHOD = {
    AttachmentKind.VOICE: "sendVoice",
    AttachmentKind.AUDIO: "sendAudio",
    AttachmentKind.VIDEO_NOTE: "sendVideoNote",
    AttachmentKind.LOCATION: "sendLocation",
}


@dataclass(frozen=True)
class Attachment:
    """One recording or location of a report (or of a draft still being filed)."""

    kind: AttachmentKind
    file_id: str | None = None
    file_unique_id: str | None = None
    duration: int | None = None  # seconds
    size: int | None = None  # bytes, as Telegram reports it
    mime_type: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def is_recording(self) -> bool:
        """A voice, audio or video note (not a location)."""
        return self.kind in RECORDINGS


@dataclass(frozen=True)
class RecordingLimits:
    """The longest and largest recording a description may be."""

    max_seconds: int
    max_bytes: int


def check_recording(limits: RecordingLimits, recording: Attachment) -> None:
    """Refuse a recording past the limits (a missing duration or size is not held against it)."""
    if recording.duration is not None and recording.duration > limits.max_seconds:
        raise Refusal(
            "voice.too_long",
            limit=clock_time(limits.max_seconds),
            length=clock_time(recording.duration),
        )
    if recording.size is not None and recording.size > limits.max_bytes:
        raise Refusal(
            "voice.too_large", limit=megabytes(limits.max_bytes), size=megabytes(recording.size)
        )


def clock_time(seconds: int) -> str:
    """Seconds as minutes:seconds, the way a player shows them (35 → 0:35, 185 → 3:05)."""
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes}:{rest:02d}"


def megabytes(size: int) -> str:
    """A size in MB with one decimal (20971520 → 20.0)."""
    return f"{size / (1024 * 1024):.1f}"


def coordinates(location: Attachment) -> str:
    """A location as 'latitude, longitude' with six decimals (about 10 cm), link-free."""
    return f"{location.latitude:.6f}, {location.longitude:.6f}"


def recording_of(attachments: list[Attachment]) -> Attachment | None:
    """The report's recording, if any."""
    return next((a for a in attachments if a.is_recording), None)


def location_of(attachments: list[Attachment]) -> Attachment | None:
    """The report's location, if any."""
    return next((a for a in attachments if a.kind is AttachmentKind.LOCATION), None)


def send_params(
    attachment: Attachment, caption: str | None = None
) -> tuple[str, dict[str, object]]:
    """The Bot API call that re-sends an attachment: method and parameters (without chat)."""
    method = SEND_METHOD[attachment.kind]
    if attachment.kind is AttachmentKind.LOCATION:
        return method, {"latitude": attachment.latitude, "longitude": attachment.longitude}
    params: dict[str, object] = {attachment.kind.value: attachment.file_id}
    if caption is not None and attachment.kind is not AttachmentKind.VIDEO_NOTE:
        params["caption"] = caption  # a video note carries no caption
    return method, params
