"""Reading the text files the town office edits, as the roster reader does: UTF-8 with or
without a byte-order mark, else GB18030 (what Notepad and Excel on Chinese Windows save)."""

from __future__ import annotations

from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030")


class NotText(ValueError):
    """The file is in none of the accepted encodings; the message is one line."""


def decode_text(data: bytes) -> str:
    """The text of a file's bytes in the first accepted encoding that fits."""
    first: UnicodeDecodeError | None = None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first = first or exc
    assert first is not None
    raise NotText(
        f"not UTF-8 or GB18030 text (byte 0x{data[first.start]:02x} at offset {first.start}); "
        "save it as UTF-8"
    )


def read_text(path: Path) -> str:
    """The text of a file (OSError when it cannot be read, NotText when it is no text)."""
    return decode_text(path.read_bytes())
