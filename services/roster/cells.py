"""Turning spreadsheet cells into clean values; each parser raises `Invalid` with the reason."""

from __future__ import annotations

import math
import re
from typing import Any

from models.units import Level
from services.roster import messages as msg
from services.roster.aliases import KNOWN_TAGS, LEVEL_LOOKUP, PENSIONER, TAG_ALIASES, header_key


class Invalid(ValueError):
    """A cell's value is not acceptable; the message is the reason shown to the user."""


def text(value: Any) -> str:
    """A cell as trimmed text; numbers Excel stored as numbers lose their spurious `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


def parse_level(raw: str) -> Level:
    """A level given as 0-4, L0-L4, 1.0, or a name such as 县, 村 or micro_grid."""
    key = header_key(raw)
    if key in LEVEL_LOOKUP:
        return LEVEL_LOOKUP[key]
    digits = key[1:] if key[:1] == "l" else key
    try:
        number = float(digits)
    except ValueError:
        raise Invalid(msg.BAD_LEVEL.format(value=raw)) from None
    if not number.is_integer() or not 0 <= number <= 4:
        raise Invalid(msg.BAD_LEVEL.format(value=raw))
    return Level(int(number))


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_SEPARATORS = re.compile(r"[\s\-－—()（）]+")


def parse_phone(raw: str) -> str:
    """A mainland mobile (digits only) or landline (area code, dash, number if one was given)."""
    compact = _SEPARATORS.sub("", raw)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("86") and len(compact) == 13:
        compact = compact[2:]
    if _MOBILE.fullmatch(compact):
        return compact
    # Keep the caller's split between area code and number: it can't be inferred from digits.
    dashed = re.sub(r"[\s()（）]+", "", raw).replace("－", "-").replace("—", "-")
    dashed = re.sub(r"-+", "-", dashed).strip("-")
    if _LANDLINE.fullmatch(dashed) and dashed.count("-") <= 1:
        return dashed
    if _LANDLINE.fullmatch(compact):
        return compact
    raise Invalid(msg.BAD_PHONE.format(value=raw))


def parse_float(column: str, raw: str) -> float:
    """A finite decimal number."""
    try:
        number = float(raw)
    except ValueError:
        raise Invalid(msg.BAD_NUMBER.format(column=column, value=raw)) from None
    if not math.isfinite(number):
        raise Invalid(msg.BAD_NUMBER.format(column=column, value=raw))
    return number


def parse_members(raw: str) -> int:
    """A positive whole number of people; an empty cell means one."""
    if raw == "":
        return 1
    try:
        number = float(raw)
    except ValueError:
        raise Invalid(msg.BAD_MEMBERS.format(value=raw)) from None
    if not number.is_integer() or number < 1:
        raise Invalid(msg.BAD_MEMBERS.format(value=raw))
    return int(number)


_TAG_SPLIT = re.compile(r"[;,；，、\s]+")
_MONTH_SPLIT = re.compile(r"[:：=]")
_MONTH_GAP = re.compile(r"\s*[:：=]\s*")


def parse_tags(raw: str) -> tuple[tuple[str, ...], int | None, list[str]]:
    """Canonical tags (in `KNOWN_TAGS` order), the pension month if any, and rejections."""
    found: set[str] = set()
    month: int | None = None
    problems: list[str] = []
    # Glue `pensioner : 7` together before splitting on spaces.
    for token in _TAG_SPLIT.split(_MONTH_GAP.sub(":", raw)):
        if not token:
            continue
        name, month_text = _split_tag(token)
        tag = TAG_ALIASES.get(name, name.lower())
        if tag not in KNOWN_TAGS:
            problems.append(msg.UNKNOWN_TAG.format(tag=name, known=", ".join(KNOWN_TAGS)))
            continue
        found.add(tag)
        if month_text is None:
            continue
        if tag != PENSIONER:
            problems.append(msg.MONTH_ON_OTHER_TAG.format(tag=name))
            continue
        try:
            month = _month(month_text)
        except Invalid as error:
            problems.append(str(error))
    return tuple(t for t in KNOWN_TAGS if t in found), month, problems


def _split_tag(token: str) -> tuple[str, str | None]:
    """`pensioner:7` into its name and month text; a tag without a month has None."""
    parts = _MONTH_SPLIT.split(token, maxsplit=1)
    if len(parts) == 1:
        return parts[0].strip(), None
    return parts[0].strip(), parts[1].strip()


def _month(raw: str) -> int:
    """A month 1-12, also written like `07` or `7月`."""
    cleaned = raw.removesuffix("月").strip()
    if not cleaned.isdecimal() or not 1 <= int(cleaned) <= 12:
        raise Invalid(msg.BAD_PENSION_MONTH.format(value=raw))
    return int(cleaned)
