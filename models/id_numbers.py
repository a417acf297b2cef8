"""Whole mainland ID numbers (居民身份证号码) in free text, so they can be refused unseen.

An 18-character number is 6 digits of region, the birth date YYYYMMDD, 3 digits and a check
character (a digit or X); the legacy 15-digit one has the date as YYMMDD and no check. People
type them with spaces or dashes between groups, in full-width digits, or inside a sentence.

A number is taken for an ID number when its region and birth date are plausible. The check
character is not verified on purpose: a number with one digit mistyped still identifies the
person, and refusing it costs only a retyped message.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Digits with at most one space or dash between them, and an optional X at the end.
_RUN = re.compile(r"\d(?:[ \t\-]?\d)*(?:[ \t\-]?X)?")
_SEPARATORS = re.compile(r"[ \t\-]")
LONG, LEGACY = 18, 15


def _plausible_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1890, 1, 1) <= born <= date(2099, 12, 31)


def _region(digits: str) -> bool:
    return 11 <= int(digits[:2]) <= 82


def _long_id(window: str) -> bool:
    if not window[:17].isdigit() or not _region(window):
        return False
    return _plausible_date(int(window[6:10]), int(window[10:12]), int(window[12:14]))


def _legacy_id(run: str) -> bool:
    if not run.isdigit() or not _region(run):
        return False
    return _plausible_date(1900 + int(run[6:8]), int(run[8:10]), int(run[10:12]))


def _runs(text: str) -> list[str]:
    normal = unicodedata.normalize("NFKC", text).upper()
    return [_SEPARATORS.sub("", found) for found in _RUN.findall(normal)]


# What a stored copy of an update holds instead of a typed whole ID number (see
# models.redaction): it is refused, and its message deleted, like the number itself when the
# stored update is handled again after a restart.
ID_PLACEHOLDER = "[ID number withheld]"


def carries_id_number(text: str | None) -> bool:
    """Whether a text seems to carry a whole ID number (18 or 15 characters)."""
    if not text:
        return False
    if ID_PLACEHOLDER in text:
        return True
    for run in _runs(text):
        if len(run) == LEGACY and _legacy_id(run):
            return True
        if any(_long_id(run[i : i + LONG]) for i in range(len(run) - LONG + 1)):
            return True
    return False
