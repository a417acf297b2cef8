"""Reading the roster's three tables from an XLSX workbook or a folder of CSV files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from models.roster import RosterError, RosterErrors
from services.roster import messages as msg
from services.roster.aliases import (
    COLUMN_ALIASES,
    COLUMN_LOOKUP,
    REQUIRED_COLUMNS,
    SHEET_ALIASES,
    SHEET_LOOKUP,
    SHEETS,
    header_key,
)
from services.roster.cells import text

# A title row or two above the header is common in office spreadsheets; look this far for it.
_HEADER_SEARCH_ROWS = 10
# CSVs saved by Excel on Chinese Windows are GB18030/GBK rather than UTF-8.
_CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True, slots=True)
class Record:
    """One non-empty data row: its spreadsheet line and its cells by canonical column."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        """The cell of `column`, empty when the column is absent."""
        return self.values.get(column, "")


@dataclass(slots=True)
class Table:
    """One sheet with a usable header."""

    sheet: str
    header_line: int
    columns: tuple[str, ...]
    records: list[Record] = field(default_factory=list)


def read_tables(path: str | Path) -> tuple[dict[str, Table], RosterErrors]:
    """The usable tables found at `path`, and the sheets or columns that are missing."""
    path = Path(path)
    errors = RosterErrors()
    try:
        if path.is_dir():
            raw = _csv_folder(path)
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = _workbook(path)
        else:
            errors.append(RosterError(path.name, None, msg.NOT_A_ROSTER.format(path=path)))
            return {}, errors
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as error:
        # openpyxl reports a damaged or non-xlsx file as one of these.
        errors.append(RosterError(path.name, None, msg.CANNOT_READ.format(error=error)))
        return {}, errors
    tables: dict[str, Table] = {}
    for sheet in SHEETS:
        if sheet not in raw:
            aliases = ", ".join(SHEET_ALIASES[sheet])
            errors.append(RosterError(sheet, None, msg.SHEET_MISSING.format(aliases=aliases)))
            continue
        table, missing = _table(sheet, raw[sheet])
        for column in missing:
            aliases = ", ".join(COLUMN_ALIASES[sheet].get(column, ()))
            reason = msg.COLUMN_MISSING.format(column=column, aliases=aliases)
            errors.append(RosterError(sheet, table.header_line, reason))
        if not missing:
            tables[sheet] = table
    return tables, errors


def _workbook(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every roster sheet of an XLSX workbook, keyed by canonical sheet name."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        found: dict[str, list[tuple[Any, ...]]] = {}
        for title in book.sheetnames:
            sheet = SHEET_LOOKUP.get(header_key(title))
            if sheet is not None and sheet not in found:
                found[sheet] = list(book[title].iter_rows(values_only=True))
        return found
    finally:
        book.close()


def _csv_folder(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every roster CSV in a folder, keyed by canonical sheet name."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for file in sorted(path.iterdir()):
        if file.suffix.lower() != ".csv":
            continue
        sheet = SHEET_LOOKUP.get(header_key(file.stem))
        if sheet is not None and sheet not in found:
            found[sheet] = [tuple(row) for row in csv.reader(io.StringIO(_decode(file)))]
    return found


def _decode(file: Path) -> str:
    """A CSV file's text, UTF-8 (with or without BOM) or else GB18030."""
    data = file.read_bytes()
    for encoding in _CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{file.name} is neither UTF-8 nor GB18030 text")


def _table(sheet: str, rows: Sequence[Sequence[Any]]) -> tuple[Table, list[str]]:
    """Find the header, map its cells to canonical columns, collect the data rows."""
    lookup = COLUMN_LOOKUP[sheet]
    header_index = _header_index(rows, lookup)
    header = rows[header_index] if rows else ()
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = lookup.get(header_key(text(cell)))
        if column is not None and column not in positions:
            positions[column] = index
    table = Table(sheet, header_index + 1, tuple(positions))
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        values = {column: text(_cell(row, index)) for column, index in positions.items()}
        if any(values.values()):
            table.records.append(Record(offset, values))
    missing = [c for c in REQUIRED_COLUMNS[sheet] if c not in positions]
    return table, missing


def _header_index(rows: Sequence[Sequence[Any]], lookup: dict[str, str]) -> int:
    """Index of the first row naming at least two known columns (else the first non-empty row)."""
    first_filled: int | None = None
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        cells = [header_key(text(cell)) for cell in row]
        if first_filled is None and any(cells):
            first_filled = index
        if sum(1 for cell in cells if cell in lookup) >= 2:
            return index
    return first_filled or 0


def _cell(row: Sequence[Any], index: int) -> Any:
    """The cell at `index`, None past the row's end (CSV rows and trimmed XLSX rows vary)."""
    return row[index] if index < len(row) else None
