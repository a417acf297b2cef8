"""The pure rules of a report's recording and location: limits, markers' numbers, re-sending."""

from __future__ import annotations

import pytest

from bot.config import config_from_dict
from models.attachments import (
    Attachment,
    AttachmentKind,
    RecordingLimits,
    check_recording,
    clock_time,
    coordinates,
    location_of,
    megabytes,
    recording_of,
    send_params,
)
from models.errors import Refusal
from services.reports.attachments import Said, description

LIMITS = RecordingLimits(max_seconds=180, max_bytes=20 * 1024 * 1024)
VOICE = Attachment(
    AttachmentKind.VOICE, "f1", "u1", duration=35, size=24_000, mime_type="audio/ogg"
)
PLACE = Attachment(AttachmentKind.LOCATION, latitude=28.1234567, longitude=112.9876543)


def test_within_the_limits_passes_and_at_the_limit_too() -> None:
    check_recording(LIMITS, VOICE)
    check_recording(
        LIMITS, Attachment(AttachmentKind.AUDIO, "f", duration=180, size=LIMITS.max_bytes)
    )
    # Telegram may leave the size out: what is unknown is not held against it.
    check_recording(LIMITS, Attachment(AttachmentKind.VIDEO_NOTE, "f", duration=10))


def test_too_long_and_too_large_are_refused_with_the_numbers() -> None:
    with pytest.raises(Refusal) as long:
        check_recording(LIMITS, Attachment(AttachmentKind.VOICE, "f", duration=181))
    assert long.value.key == "voice.too_long"
    assert long.value.values == {"limit": "3:00", "length": "3:01"}
    with pytest.raises(Refusal) as large:
        check_recording(
            LIMITS, Attachment(AttachmentKind.AUDIO, "f", duration=5, size=LIMITS.max_bytes + 1)
        )
    assert large.value.key == "voice.too_large" and large.value.values["limit"] == "20.0"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0:00"), (9, "0:09"), (35, "0:35"), (60, "1:00"), (185, "3:05")]
)
def test_clock_time(seconds: int, shown: str) -> None:
    assert clock_time(seconds) == shown


def test_sizes_and_coordinates_are_plain_numbers() -> None:
    assert megabytes(21 * 1024 * 1024) == "21.0"
    assert coordinates(PLACE) == "28.123457, 112.987654"


def test_each_kind_is_resent_by_its_own_method() -> None:
    assert send_params(VOICE, "#1") == ("sendVoice", {"voice": "f1", "caption": "#1"})
    audio = Attachment(AttachmentKind.AUDIO, "f2")
    assert send_params(audio, "#1") == ("sendAudio", {"audio": "f2", "caption": "#1"})
    note = Attachment(AttachmentKind.VIDEO_NOTE, "f3")
    assert send_params(note, "#1") == ("sendVideoNote", {"video_note": "f3"})
    assert send_params(PLACE) == (
        "sendLocation",
        {"latitude": 28.1234567, "longitude": 112.9876543},
    )


def test_the_recording_and_the_location_are_told_apart() -> None:
    assert recording_of([PLACE, VOICE]) is VOICE and location_of([PLACE, VOICE]) is PLACE
    assert recording_of([PLACE]) is None and location_of([VOICE]) is None
    assert VOICE.is_recording and not PLACE.is_recording


def test_what_a_message_gives_as_the_description() -> None:
    config = config_from_dict({"reports": {"max_length": 20, "voice_max_seconds": 60}})
    assert description(config, Said("  路灯坏了 "), "（语音）") == "路灯坏了"
    assert description(config, Said(None, attachment=VOICE), "（语音）") == "（语音）"
    assert description(config, Said("井盖", attachment=VOICE), "（语音）") == "井盖"
    # A location is never words: the description is still to come.
    assert description(config, Said(None, attachment=PLACE), "（语音）") is None
    with pytest.raises(Refusal, match=r"voice\.too_long"):
        description(
            config, Said("x", attachment=Attachment(AttachmentKind.VOICE, "f", duration=61)), ""
        )
    with pytest.raises(Refusal, match=r"reports\.too_long"):
        description(config, Said("长" * 21, attachment=VOICE), "")
