"""Callback data: short, prefixed, parsed in one place, never over Telegram's 64 bytes.

Anyone can send any callback data (a modified client needs no button), so every part is
parsed strictly: numbers are plain ASCII digits within SQLite's 64-bit range, and anything
else is `BadCallbackData`, answered as a stale button.
"""

from __future__ import annotations

MAX_BYTES = 64
SEP = ":"
# 18 digits always fit in SQLite's signed 64-bit INTEGER; ids never come near.
MAX_DIGITS = 18


class BadCallbackData(ValueError):
    """Callback data that this bot did not make (or made by an older version)."""


def pack(prefix: str, *parts: object) -> str:
    """Join a prefix and parts into callback data."""
    data = SEP.join([prefix, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, prefix: str, count: int) -> list[str]:
    """The parts of callback data with this prefix and number of parts."""
    parts = (data or "").split(SEP)
    if parts[0] != prefix or len(parts) != count + 1:
        raise BadCallbackData(data)
    return parts[1:]


def unpack_any(data: str | None, prefix: str, least: int = 1, most: int = 8) -> list[str]:
    """The parts of callback data with this prefix, between `least` and `most` of them."""
    parts = (data or "").split(SEP)
    if parts[0] != prefix or not least <= len(parts) - 1 <= most:
        raise BadCallbackData(data)
    return parts[1:]


def whole_number(text: str) -> int | None:
    """A non-negative whole number written in ASCII digits that fits SQLite, else None.

    `int()` and `str.isdigit()` accept other scripts' digits and superscripts ("²", "١٢"),
    and Python's integers have no upper bound while SQLite's do.
    """
    if not 0 < len(text) <= MAX_DIGITS or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def number(part: str) -> int:
    """A part of callback data that must be a number (an id, a page)."""
    value = whole_number(part)
    if value is None:
        raise BadCallbackData(part)
    return value


def pattern(prefix: str) -> str:
    """A CallbackQueryHandler pattern matching this prefix."""
    return f"^{prefix}{SEP}"
