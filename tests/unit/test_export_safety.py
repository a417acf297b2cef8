"""Exports and backups are safe to open and to leave on disk: no cell runs as a formula, and
every file is readable by its owner only."""

from __future__ import annotations

import asyncio
import csv
import io
import stat
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.__main__ import main
from bot.clock import to_ts
from bot.config import Config
from bot.storage import grid
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from bot.texts import Texts
from services.export import build_sheets
from services.sheets import Sheet, csv_text, write_csv_dir, write_csv_zip, write_xlsx
from tests import town

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
# What a spreadsheet would take for a formula (or a DDE call) at the start of a cell.
LIVE = ["=1+1", "+86 139", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x")']


def _table() -> Sheet:
    return Sheet(
        "=evil",
        ["=header", "n", "when", "day"],
        ["text", "int", "datetime", "date"],
        [[text, -5, NOW, date(2026, 6, 1)] for text in LIVE],
    )


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_xlsx_cells_that_look_like_formulas_are_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx([_table()], TZ)))
    ws = book.worksheets[0]
    assert ws["A1"].value == "'=header" and ws["A1"].data_type == "s"
    for line, text in enumerate(LIVE, start=2):
        cell = ws.cell(line, 1)
        assert cell.data_type == "s", text
        # (XML turns a carriage return into a line feed on reading.)
        assert cell.value == "'" + text.replace("\r", "\n")
        # Numbers and dates stay typed.
        assert ws.cell(line, 2).value == -5 and ws.cell(line, 2).data_type == "n"
        assert ws.cell(line, 3).value == datetime(2026, 6, 10, 10, 0)
        assert ws.cell(line, 4).is_date


def test_csv_cells_that_look_like_formulas_start_with_a_quote() -> None:
    rows = list(csv.reader(io.StringIO(csv_text(_table(), TZ), newline="")))
    assert rows[0][0] == "'=header"
    assert [r[0] for r in rows[1:]] == ["'" + text for text in LIVE]
    assert {r[1] for r in rows[1:]} == {"-5"}  # a number is not text: left alone
    with zipfile.ZipFile(io.BytesIO(write_csv_zip([_table()], TZ))) as archive:
        (name,) = archive.namelist()
        inside = archive.read(name).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(inside, newline="")))[1][0] == "'=1+1"


async def test_a_report_description_is_exported_as_text(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "grid.sqlite3")
    try:
        await apply_roster(db, town.test_town(), NOW - timedelta(days=30))
        m1 = await grid.unit_by_code(db, "M1")
        async with db.transaction():
            await db.execute(
                "INSERT INTO reports (id, micro_grid_id, category, description, "
                "reporter_tg_id, reporter_name, source_chat_id, source_message_id, status, "
                "level, unit_id, created_at, updated_at) VALUES (3, ?, 'other', "
                "'=cmd|'' /C calc''!A0', 5, '@王', -1, 1, 'new', 4, ?, ?, ?)",
                (m1.id, m1.id, to_ts(NOW), to_ts(NOW)),
            )
            sheets = await build_sheets(db, Config(), Texts().lang("en"), None, personal=True)
    finally:
        await db.close()
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(sheets, TZ)))
    ws = book["Reports"]
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert row["Description"].data_type == "s"
    assert row["Description"].value == "'=cmd|' /C calc'!A0"
    assert row["Reporter"].value == "'@王"
    assert row["Number"].value == 3 and row["Number"].data_type == "n"
    written = write_csv_dir(sheets, TZ, tmp_path / "csv")
    text = written[0].read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline="")))[1][10] == "'=cmd|' /C calc'!A0"


@pytest.fixture
def live_db(tmp_path: Path) -> Path:
    path = tmp_path / "grid.sqlite3"

    async def make() -> None:
        db = await Database.open(path)
        await apply_roster(db, town.test_town(), NOW)
        await db.close()

    asyncio.run(make())
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{path}"\n', encoding="utf-8")
    return config


def test_cli_export_and_backup_are_private(live_db: Path, tmp_path: Path) -> None:
    config = str(live_db)
    # Even where a file existed with wider rights, or the umask is lax.
    stale = tmp_path / "out.xlsx"
    stale.write_bytes(b"old")
    stale.chmod(0o644)
    assert main(["export", "--config", config, str(stale)]) == 0
    assert _private(stale) and openpyxl.load_workbook(stale).sheetnames[0] == "问题"
    assert main(["export", "--config", config, str(tmp_path / "csv")]) == 0
    files = sorted((tmp_path / "csv").iterdir())
    assert len(files) == 11 and all(_private(p) for p in files)
    assert stat.S_IMODE((tmp_path / "csv").stat().st_mode) & 0o077 == 0
    assert main(["backup", "--config", config, str(tmp_path / "b" / "copy.sqlite3")]) == 0
    copy = tmp_path / "b" / "copy.sqlite3"
    assert _private(copy)
    assert [p.name for p in copy.parent.iterdir()] == ["copy.sqlite3"]
