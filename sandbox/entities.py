"""Formatted text: parse modes, whitespace trimming and automatically detected entities."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_request
from sandbox.html import HtmlError, parse_html, utf16_len

_COMMAND = re.compile(r"(?<![\w/<>])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/<>@])")
_MENTION = re.compile(r"(?<![\w@])@[a-zA-Z0-9_]{5,32}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w#])#\w{0,255}[^\W\d_]\w{0,255}(?![\w#])")
_URL = re.compile(r"(?<![\w@/])https?://[^\s<>\"']+", re.IGNORECASE)
_OPAQUE = {"code", "pre", "text_link", "url", "text_mention", "custom_emoji"}


def format_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    strict_html: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode or explicit entities, trim, and add detected entities like Telegram."""
    found: list[dict[str, Any]] = [dict(e) for e in entities or []]
    if parse_mode and parse_mode.upper() == "HTML" and not entities:
        try:
            text, found = parse_html(text, strict_html)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    elif parse_mode and parse_mode.lower() not in ("html", "markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode: {parse_mode}")
    text, found = trim(text, found)
    return text, merge_detected(text, found)


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace and shift or clip entities accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def detect(text: str) -> list[dict[str, Any]]:
    """Find bot commands, mentions, hashtags and URLs the way Telegram marks them."""
    found: list[dict[str, Any]] = []
    for kind, pattern in (
        ("bot_command", _COMMAND),
        ("mention", _MENTION),
        ("hashtag", _HASHTAG),
        ("url", _URL),
    ):
        for match in pattern.finditer(text):
            value = match.group(0)
            if kind == "url":
                value = value.rstrip(".,;:!?)]}")
            offset = utf16_len(text[: match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_len(value)})
    return found


def merge_detected(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add detected entities that do not overlap opaque ones, sorted like Telegram."""
    merged = list(entities)
    blocked = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _OPAQUE]
    for entity in detect(text):
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if all(end <= b_start or start >= b_end for b_start, b_end in blocked):
            merged.append(entity)
            blocked.append((start, end))
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


def entity_text(text: str, entity: dict[str, Any]) -> str:
    """Return the substring an entity covers (offsets are UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start = entity["offset"] * 2
    return encoded[start : start + entity["length"] * 2].decode("utf-16-le", errors="replace")
