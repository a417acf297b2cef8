"""Writing tables as XLSX (typed cells, frozen header, filters) or as CSV files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.private_files import private_folder, write_private

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
# Excel caps sheet names at 31 characters and forbids a few.
_BAD_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})
# Excel, WPS and LibreOffice take a cell starting with one of these for a formula (or a DDE
# call); a leading apostrophe keeps it text (OWASP's advice against CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    """One table: a name, column headers, column kinds and rows of plain values.

    Kinds: "text", "int", "float", "percent", "datetime" (aware, shown in the town's zone),
    "date". Datetimes are converted to the town's wall-clock time on writing.
    """

    name: str
    headers: list[str]
    kinds: list[str]
    rows: list[Sequence[Any]] = field(default_factory=list)


def inert(value: Any) -> Any:
    """A text that a spreadsheet would run, made plain text; any other value unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _local(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        # Spreadsheet cells have no time zone: write the town's wall-clock time.
        return value.astimezone(tz).replace(tzinfo=None)
    return value


def write_xlsx(sheets: list[Sheet], tz: ZoneInfo) -> bytes:
    """A workbook with one sheet per table (write-only mode, streamed row by row)."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    formats = {"datetime": DATETIME_FORMAT, "date": DATE_FORMAT, "percent": PERCENT_FORMAT}
    for table in sheets:
        ws = book.create_sheet(table.name.translate(_BAD_TITLE)[:31])
        ws.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(header) + 4)
        header_cells = []
        for header in table.headers:
            cell = WriteOnlyCell(ws, value=inert(header))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in table.rows:
            cells = []
            for value, kind in zip(row, table.kinds, strict=True):
                cell = WriteOnlyCell(ws, value=inert(_local(value, tz)))
                if kind in formats and value is not None:
                    cell.number_format = formats[kind]
                cells.append(cell)
            ws.append(cells)
        last = get_column_letter(max(1, len(table.headers)))
        ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_value(value: Any, tz: ZoneInfo) -> Any:
    value = _local(value, tz)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else inert(value)


def csv_text(table: Sheet, tz: ZoneInfo) -> str:
    """One table as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([inert(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(v, tz) for v in row])
    return out.getvalue()


def csv_name(index: int, table: Sheet) -> str:
    """The file name of a table's CSV: its position and name."""
    return f"{index:02d}_{table.name.translate(_BAD_TITLE)}.csv"


def write_csv_dir(sheets: list[Sheet], tz: ZoneInfo, folder: Path) -> list[Path]:
    """One UTF-8 CSV file per table (with a byte-order mark, so Excel reads Chinese), each
    readable by its owner only."""
    private_folder(folder)
    written = []
    for index, table in enumerate(sheets, start=1):
        path = folder / csv_name(index, table)
        write_private(path, csv_text(table, tz).encode("utf-8-sig"))
        written.append(path)
    return written


def write_csv_zip(sheets: list[Sheet], tz: ZoneInfo) -> bytes:
    """The CSV files zipped into one attachment."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, table in enumerate(sheets, start=1):
            archive.writestr(csv_name(index, table), "\ufeff" + csv_text(table, tz))
    return out.getvalue()
