"""Keeping messages within Telegram's limits: split at line boundaries, never mid-line."""

from __future__ import annotations

MAX_TEXT = 4096
MAX_CAPTION = 1024


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); markup counts too, to be safe."""
    return len(text.encode("utf-16-le")) // 2


def split_lines(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut `text` into parts of at most `limit`, each made of whole lines.

    Only a single line longer than the limit (which the bot's own texts never produce) is
    cut inside, at a character boundary, as a last resort.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = [line]
        if utf16_len(line) > limit:
            pieces = _hard_cut(line, limit)
        for piece in pieces:
            extra = utf16_len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                extra = utf16_len(piece)
            current.append(piece)
            size += extra
    if current and any(current):
        parts.append("\n".join(current))
    return [p.strip("\n") for p in parts if p.strip()]


def _hard_cut(line: str, limit: int) -> list[str]:
    out, piece = [], ""
    for char in line:
        if utf16_len(piece + char) > limit:
            out.append(piece)
            piece = ""
        piece += char
    if piece:
        out.append(piece)
    return out
