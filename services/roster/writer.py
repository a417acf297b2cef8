"""Writing a roster (or an empty template) as an XLSX workbook or a folder of CSV files.

A path ending in ``.xlsx`` gets a workbook with the sheets ``units``, ``staff`` and
``households``; any other path is taken as a folder (created if needed) that gets
``units.csv``, ``staff.csv`` and ``households.csv`` in UTF-8 with a BOM, which Excel
opens with the Chinese intact.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from models.roster import HouseholdRow, Roster, StaffRow, UnitRow
from models.units import Level
from services.roster.aliases import (
    COLUMNS,
    ELDERLY_ALONE,
    HOUSEHOLDS,
    PENSIONER,
    SHEETS,
    STAFF,
    UNITS,
)

Row = Sequence[Any]

# Column widths (characters) that keep Chinese names and codes readable when opened.
_WIDTHS = {
    "code": 18,
    "name": 14,
    "parent_code": 14,
    "unit_code": 18,
    "micro_grid_code": 16,
    "head_name": 10,
    "address": 28,
    "phone": 15,
    "tags": 22,
}

_EXAMPLE = Roster(
    units=(
        UnitRow(
            code="DTY-01-01-001",
            name="益家冲组",
            level=Level.MICRO_GRID,
            parent_code="DTY-01-01",
            lat=28.2,
            lon=112.5,
            radius_m=200,
        ),
    ),
    staff=(
        StaffRow(
            code="W0001",
            name="张三",
            phone="13900000000",
            level=Level.MICRO_GRID,
            unit_codes=("DTY-01-01-001",),
        ),
    ),
    households=(
        HouseholdRow(
            code="DTY-01-01-001-01",
            micro_grid_code="DTY-01-01-001",
            head_name="李四",
            address="大屯营村益家冲组1号",
            phone="0731-87654321",
            members=3,
            tags=(ELDERLY_ALONE, PENSIONER),
            pension_month=7,
        ),
    ),
)


def format_tags(tags: Iterable[str], pension_month: int | None) -> str:
    """Tags as the roster writes them, e.g. `elderly_alone;pensioner:7`."""
    return ";".join(
        f"{tag}:{pension_month}" if tag == PENSIONER and pension_month else tag for tag in tags
    )


def sheet_rows(roster: Roster) -> dict[str, list[Row]]:
    """The data rows of each sheet, in `COLUMNS` order."""
    return {
        UNITS: [
            (u.code, u.name, int(u.level), u.parent_code or "", u.lat, u.lon, u.radius_m, u.short)
            for u in roster.units
        ],
        STAFF: [
            (s.code, s.name, s.phone, int(s.level), ";".join(s.unit_codes)) for s in roster.staff
        ],
        HOUSEHOLDS: [
            (
                h.code,
                h.micro_grid_code,
                h.head_name,
                h.address,
                h.phone,
                h.members,
                format_tags(h.tags, h.pension_month),
            )
            for h in roster.households
        ],
    }


def write_roster(roster: Roster, path: str | Path) -> Path:
    """Write `roster` to `path` (`.xlsx` workbook, else a CSV folder); returns the path."""
    path = Path(path)
    rows = sheet_rows(roster)
    if path.suffix.lower() == ".xlsx":
        _write_workbook(path, rows)
    else:
        _write_csv_folder(path, rows)
    return path


def write_template(path: str | Path) -> Path:
    """Write the headers and one example row per sheet to `path`, like `write_roster`."""
    return write_roster(_EXAMPLE, path)


def _write_workbook(path: Path, rows: dict[str, list[Row]]) -> None:
    """Three sheets in write-only mode, which streams rows instead of building cells."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet)
        for index, column in enumerate(COLUMNS[sheet], start=1):
            ws.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(column, 10)
        ws.append(COLUMNS[sheet])
        for row in rows[sheet]:
            ws.append(row)
    book.save(path)


def _write_csv_folder(path: Path, rows: dict[str, list[Row]]) -> None:
    """One CSV per sheet; empty cells for missing values."""
    path.mkdir(parents=True, exist_ok=True)
    for sheet in SHEETS:
        with (path / f"{sheet}.csv").open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS[sheet])
            writer.writerows(["" if v is None else v for v in row] for row in rows[sheet])
