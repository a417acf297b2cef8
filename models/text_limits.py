"""Telegram's length limits, counted as Telegram counts them.

Telegram measures a message's text (4096) and a caption (1024) in UTF-16 code units of the
text people see: HTML tags take no room, an entity such as `&amp;` is one character, and a
character outside the Basic Multilingual Plane (😀, 𠀀) takes two. Every cut and split of the
bot's texts goes through here, so none breaks a character, a tag or an entity, and every tag
open at a cut is closed there (and opened again in the next part).
"""

from __future__ import annotations

import html
import re

MAX_TEXT = 4096
MAX_CAPTION = 1024
ELLIPSIS = "…"

# A tag, an entity, or one character (a code point: never half of a surrogate pair).
_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (how Telegram counts plain text)."""
    return len(text.encode("utf-16-le")) // 2


def _units(token: str) -> int:
    if len(token) > 1 and token[0] == "<":
        return 0
    if len(token) > 1 and token[0] == "&":
        return utf16_len(html.unescape(token))
    return utf16_len(token)


def visible_len(text: str) -> int:
    """Length of an HTML text as Telegram counts it after parsing the markup."""
    return sum(_units(token) for token in _TOKEN.findall(text))


def _track(stack: list[str], token: str) -> None:
    """Follow which tags are open after `token`."""
    if len(token) < 2 or token[0] != "<":
        return
    found = _TAG_NAME.match(token)
    if found is None:
        return
    name = found.group(1).lower()
    if token.startswith("</"):
        for index in range(len(stack) - 1, -1, -1):
            if _name(stack[index]) == name:
                del stack[index:]
                break
    else:
        stack.append(token)


def _name(tag: str) -> str:
    found = _TAG_NAME.match(tag)
    return found.group(1).lower() if found else ""


def _closing(stack: list[str]) -> str:
    return "".join(f"</{_name(tag)}>" for tag in reversed(stack))


def shorten(text: str, limit: int) -> str:
    """Plain text within `limit` UTF-16 units, ending with … when it had to be cut."""
    if utf16_len(text) <= limit:
        return text
    room, size, kept = limit - utf16_len(ELLIPSIS), 0, []
    for char in text:
        size += utf16_len(char)
        if size > room:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def shorten_html(text: str, limit: int) -> str:
    """An HTML text within `limit` (as Telegram counts), cut between characters with …"""
    if visible_len(text) <= limit:
        return text
    room, size = limit - utf16_len(ELLIPSIS), 0
    kept: list[str] = []
    stack: list[str] = []
    for token in _TOKEN.findall(text):
        units = _units(token)
        if size + units > room:
            break
        size += units
        kept.append(token)
        _track(stack, token)
    return "".join(kept).rstrip() + ELLIPSIS + _closing(stack)


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut an HTML text into parts within `limit` each, at line ends where possible.

    Only a line longer than the limit is cut inside, between two characters. Tags open at a
    cut are closed at the end of the part and opened again at the start of the next.
    """
    tokens = _TOKEN.findall(text)
    parts: list[str] = []
    start = 0
    reopen: list[str] = []
    while True:
        while start < len(tokens) and tokens[start] == "\n":
            start += 1
        if start >= len(tokens):
            return parts
        size, stack, index = 0, list(reopen), start
        line_end: tuple[int, list[str]] | None = None
        while index < len(tokens):
            token = tokens[index]
            units = _units(token)
            if size + units > limit:
                break
            if token == "\n":
                line_end = (index, list(stack))
            size += units
            _track(stack, token)
            index += 1
        if index < len(tokens) and tokens[index] == "\n":
            line_end = (index, list(stack))
        if index >= len(tokens):
            end, stack_at_end, resume = index, stack, index
        elif line_end is not None and line_end[0] > start:
            end, stack_at_end = line_end
            resume = end + 1
        else:
            end, stack_at_end, resume = max(index, start + 1), stack, max(index, start + 1)
        content = "".join(tokens[start:end]).rstrip("\n")
        if content.strip():
            parts.append("".join(reopen) + content + _closing(stack_at_end))
        start, reopen = resume, stack_at_end
