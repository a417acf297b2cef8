"""Callback data: short, prefixed, parsed in one place, never over Telegram's 64 bytes."""

from __future__ import annotations

MAX_BYTES = 64
SEP = ":"


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


def pattern(prefix: str) -> str:
    """A CallbackQueryHandler pattern matching this prefix."""
    return f"^{prefix}{SEP}"
