"""Checking the roster's tables row by row and building a consistent `Roster`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from models.roster import (
    HouseholdRow,
    Roster,
    RosterError,
    RosterErrors,
    StaffRow,
    UnitRow,
)
from models.units import Level
from services.roster import messages as msg
from services.roster.aliases import HOUSEHOLDS, SHEETS, STAFF, UNITS
from services.roster.cells import (
    Invalid,
    parse_float,
    parse_level,
    parse_members,
    parse_phone,
    parse_tags,
)
from services.roster.reader import Record, Table

T = TypeVar("T")

_UNIT_LIST = re.compile(r"[;；,，、\s]+")
_SHORT = re.compile(r"[A-Za-z0-9]{1,8}")


class _Sheet:
    """Collects the reasons rows of one sheet are rejected."""

    def __init__(self, sheet: str, errors: RosterErrors) -> None:
        self.sheet = sheet
        self.errors = errors
        self.bad_lines: set[int] = set()

    def reject(self, line: int, reason: str) -> None:
        """Record one reason `line` is rejected."""
        self.errors.append(RosterError(self.sheet, line, reason))
        self.bad_lines.add(line)

    def required(self, record: Record, column: str) -> str | None:
        """The value of `column`, or None after rejecting the row because it is empty."""
        value = record.get(column)
        if not value:
            self.reject(record.line, msg.VALUE_MISSING.format(column=column))
            return None
        return value

    def parse(self, line: int, parser: Callable[..., T], *args: str) -> T | None:
        """`parser(*args)`, or None after rejecting the row with the parser's reason."""
        try:
            return parser(*args)
        except Invalid as error:
            self.reject(line, str(error))
            return None


def validate(tables: dict[str, Table], errors: RosterErrors | None = None) -> Roster | RosterErrors:
    """The roster the tables describe, or every reason (with `errors` already found) it is not."""
    errors = RosterErrors() if errors is None else errors
    # Reference checks need the units sheet; without it they would only repeat its absence.
    levels: dict[str, Level | None] | None = None
    units: list[UnitRow] = []
    if UNITS in tables:
        units, levels = _units(tables[UNITS], _Sheet(UNITS, errors))
    staff = _staff(tables[STAFF], _Sheet(STAFF, errors), levels) if STAFF in tables else []
    households = (
        _households(tables[HOUSEHOLDS], _Sheet(HOUSEHOLDS, errors), levels)
        if HOUSEHOLDS in tables
        else []
    )
    if errors:
        order = {sheet: index for index, sheet in enumerate(SHEETS)}
        return RosterErrors(sorted(errors, key=lambda e: (order.get(e.sheet, -1), e.line or 0)))
    return Roster(units=tuple(units), staff=tuple(staff), households=tuple(households))


def _units(table: Table, sheet: _Sheet) -> tuple[list[UnitRow], dict[str, Level | None]]:
    """Units in file order, and every code's level (None when its level is bad)."""
    first: dict[str, int] = {}
    levels: dict[str, Level | None] = {}
    parsed: list[tuple[Record, str, str, Level, str]] = []
    for record in table.records:
        line = record.line
        code = sheet.required(record, "code")
        name = sheet.required(record, "name")
        raw_level = sheet.required(record, "level")
        level = sheet.parse(line, parse_level, raw_level) if raw_level else None
        if code is not None:
            if code in first:
                sheet.reject(line, msg.DUPLICATE_CODE.format(code=code, first=first[code]))
                code = None
            else:
                first[code] = line
                levels[code] = level
        if code is not None and name is not None and level is not None:
            parsed.append((record, code, name, level, record.get("parent_code")))
    counties = [(record, code) for record, code, _, level, _ in parsed if level == Level.COUNTY]
    for record, _ in counties[1:]:
        sheet.reject(record.line, msg.SECOND_COUNTY.format(first=counties[0][1]))
    county = counties[0][1] if counties else None
    rows: list[UnitRow] = []
    shorts: dict[str, str] = {}
    for record, code, name, level, parent in parsed:
        _check_parent(sheet, record.line, level, parent, levels, county)
        lat, lon, radius = _location(sheet, record)
        short = _short(sheet, record, code, level, shorts)
        if record.line not in sheet.bad_lines:
            rows.append(
                UnitRow(
                    code=code,
                    name=name,
                    level=level,
                    parent_code=parent or None,
                    lat=lat,
                    lon=lon,
                    radius_m=radius,
                    short=short,
                )
            )
    return rows, levels


def derived_short(code: str) -> str:
    """A town's report-number prefix from its code: its Latin letters and digits, upper-case,
    at most 8 (e.g. `dty-1` → `DTY1`)."""
    return "".join(c for c in code.upper() if c.isascii() and c.isalnum())[:8]


def _short(sheet: _Sheet, record: Record, code: str, level: Level, shorts: dict[str, str]) -> str:
    """A town's prefix (given, or derived from its code), unique among the towns; "" for
    other units."""
    raw = record.get("short")
    if level != Level.TOWN:
        if raw:
            sheet.reject(record.line, msg.SHORT_NOT_TOWN)
        return ""
    if raw and not _SHORT.fullmatch(raw):
        sheet.reject(record.line, msg.BAD_SHORT.format(value=raw))
        return ""
    short = (raw or derived_short(code)).upper()
    if short and short in shorts:
        sheet.reject(record.line, msg.DUPLICATE_SHORT.format(value=short, first=shorts[short]))
    shorts.setdefault(short, code)
    return short


def _check_parent(
    sheet: _Sheet,
    line: int,
    level: Level,
    parent: str,
    levels: dict[str, Level | None],
    county: str | None,
) -> None:
    """Reject a unit whose parent is missing, unknown or not exactly one level up. The county
    has none; a town has none, or the county when the roster has one (then it must)."""
    if level == Level.COUNTY:
        if parent:
            sheet.reject(line, msg.COUNTY_HAS_PARENT.format(parent=parent))
        return
    if level == Level.TOWN:
        if county is None:
            if parent:
                sheet.reject(line, msg.TOWN_HAS_PARENT.format(parent=parent))
        elif parent != county:
            sheet.reject(line, msg.TOWN_OUTSIDE_COUNTY.format(county=county))
        return
    if not parent:
        sheet.reject(line, msg.VALUE_MISSING.format(column="parent_code"))
    elif parent not in levels:
        sheet.reject(line, msg.UNKNOWN_PARENT.format(parent=parent))
    else:
        parent_level = levels[parent]
        # A parent with a bad level is already rejected on its own line.
        if parent_level is not None and parent_level != level - 1:
            reason = msg.PARENT_LEVEL.format(
                parent=parent, parent_level=int(parent_level), level=int(level), want=level - 1
            )
            sheet.reject(line, reason)


def _location(sheet: _Sheet, record: Record) -> tuple[float | None, float | None, float | None]:
    """The optional centre point and radius of a unit."""
    line = record.line
    values: list[float | None] = []
    for column, low, high in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
        raw = record.get(column)
        number = sheet.parse(line, parse_float, column, raw) if raw else None
        if number is not None and not low <= number <= high:
            reason = msg.OUT_OF_RANGE.format(column=column, value=raw, low=low, high=high)
            sheet.reject(line, reason)
            number = None
        values.append(number)
    if bool(record.get("lat")) != bool(record.get("lon")):
        sheet.reject(line, msg.HALF_LOCATION)
    radius: float | None = None
    raw_radius = record.get("radius_m")
    if raw_radius:
        radius = sheet.parse(line, parse_float, "radius_m", raw_radius)
        if radius is not None and radius <= 0:
            sheet.reject(line, msg.BAD_RADIUS.format(value=raw_radius))
    return values[0], values[1], radius


def _staff(table: Table, sheet: _Sheet, levels: dict[str, Level | None] | None) -> list[StaffRow]:
    """Staff merged by code: a repeated row or a `;` list adds units to the same person."""
    first: dict[str, tuple[int, str, str, Level]] = {}
    units: dict[str, list[str]] = {}
    for record in table.records:
        line = record.line
        code = sheet.required(record, "code")
        name = sheet.required(record, "name")
        raw_phone = sheet.required(record, "phone")
        phone = sheet.parse(line, parse_phone, raw_phone) if raw_phone else None
        raw_level = sheet.required(record, "level")
        level = sheet.parse(line, parse_level, raw_level) if raw_level else None
        raw_units = sheet.required(record, "unit_code") or ""
        codes = [c for c in _UNIT_LIST.split(raw_units) if c]
        if level is not None and levels is not None:
            for unit in codes:
                _check_staff_unit(sheet, line, level, unit, levels)
        if code is None or name is None or phone is None or level is None:
            continue
        if code in first:
            first_line, *known = first[code]
            for field, mine, theirs in zip(
                ("name", "phone", "level"), (name, phone, level), known, strict=True
            ):
                if mine != theirs:
                    sheet.reject(
                        line, msg.STAFF_CONFLICT.format(code=code, first=first_line, field=field)
                    )
        else:
            first[code] = (line, name, phone, level)
            units[code] = []
        if line not in sheet.bad_lines:
            units[code].extend(c for c in codes if c not in units[code])
    return [
        StaffRow(code=code, name=name, phone=phone, level=level, unit_codes=tuple(units[code]))
        for code, (line, name, phone, level) in first.items()
        if line not in sheet.bad_lines
    ]


def _check_staff_unit(
    sheet: _Sheet, line: int, level: Level, unit: str, levels: dict[str, Level | None]
) -> None:
    """Reject a staff row naming an unknown unit or one of another level."""
    if unit not in levels:
        sheet.reject(line, msg.UNKNOWN_UNIT.format(code=unit))
        return
    unit_level = levels[unit]
    if unit_level is not None and unit_level != level:
        reason = msg.STAFF_UNIT_LEVEL.format(
            code=unit, unit_level=int(unit_level), level=int(level)
        )
        sheet.reject(line, reason)


def _households(
    table: Table, sheet: _Sheet, levels: dict[str, Level | None] | None
) -> list[HouseholdRow]:
    """Households, each in a known micro-grid."""
    first: dict[str, int] = {}
    rows: list[HouseholdRow] = []
    for record in table.records:
        line = record.line
        code = sheet.required(record, "code")
        if code is not None:
            if code in first:
                sheet.reject(line, msg.DUPLICATE_CODE.format(code=code, first=first[code]))
            else:
                first[code] = line
        micro_grid = sheet.required(record, "micro_grid_code")
        if micro_grid and levels is not None and not _is_micro_grid(micro_grid, levels):
            sheet.reject(line, msg.OUTSIDE_MICRO_GRID.format(code=micro_grid))
        head = sheet.required(record, "head_name")
        raw_phone = record.get("phone")
        phone = sheet.parse(line, parse_phone, raw_phone) if raw_phone else ""
        members = sheet.parse(line, parse_members, record.get("members"))
        tags, month, problems = parse_tags(record.get("tags"))
        for reason in problems:
            sheet.reject(line, reason)
        if line in sheet.bad_lines or not (code and micro_grid and head and members):
            continue
        rows.append(
            HouseholdRow(
                code=code,
                micro_grid_code=micro_grid,
                head_name=head,
                address=record.get("address"),
                phone=phone or "",
                members=members,
                tags=tags,
                pension_month=month,
            )
        )
    return rows


def _is_micro_grid(code: str, levels: dict[str, Level | None]) -> bool:
    """Whether `code` is a level-4 unit (a unit with a bad level is rejected on its own line)."""
    return code in levels and levels[code] in (Level.MICRO_GRID, None)
