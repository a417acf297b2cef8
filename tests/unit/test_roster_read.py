"""Reading good rosters: CSV (BOM, Chinese headers), XLSX (numbers stored as numbers), import."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook

from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.units import Level
from services.roster import Roster, RosterErrors, read_roster
from services.roster.cells import parse_phone

NOW = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)

UNITS = [
    ["编码", "名称", "层级", "上级编码", "纬度", "经度", "半径(米)"],
    ["T", "大屯营镇", "1", "", "28.2", "112.5", "9000"],
    ["T-1", "大屯营村", "2", "T", "", "", ""],
    ["T-1-1", "大屯营村第1网格", "3", "T-1", "", "", ""],
    ["T-1-1-1", "益家冲组", "4", "T-1-1", "28.21", "112.51", "150"],
    ["T-1-1-2", "渣塘冲组", "微网格", "T-1-1", "", "", ""],
]
STAFF = [
    ["编码", "姓名", "手机", "级别", "所属单元"],
    ["C1", "刘建国", "139 1234 5678", "1", "T"],
    ["C2", "王芳", "0731-87654321", "2", "T-1"],
    ["W1", "李明", "13812345678", "3", "T-1-1"],
    ["W2", "张秀兰", "13712345678", "4", "T-1-1-1；T-1-1-2"],
]
HOUSEHOLDS = [
    ["户号", "微网格编码", "户主", "住址", "电话", "人口", "标签"],
    ["H1", "T-1-1-1", "周桂英", "益家冲组1号", "13612345678", "1", "独居老人 养老金领取:7"],
    ["H2", "T-1-1-1", "黄德福", "益家冲组2号", "073187654321", "4", ""],
    ["H3", "T-1-1-2", "彭春", "渣塘冲组1号", "", "", "low_income, pensioner：12"],
]


def write_csv(folder: Path, name: str, rows: list[list[object]], encoding: str) -> None:
    """One CSV file of the roster folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows(rows)


def write_csv_roster(folder: Path, encoding: str = "utf-8-sig") -> Path:
    """The small hand-made roster as three CSV files."""
    write_csv(folder, "units.csv", UNITS, encoding)
    write_csv(folder, "staff.csv", STAFF, encoding)
    write_csv(folder, "households.csv", HOUSEHOLDS, encoding)
    return folder


def check_small_roster(roster: Roster | RosterErrors) -> Roster:
    """The hand-made roster read back as expected."""
    assert isinstance(roster, Roster), str(roster)
    assert [u.code for u in roster.units] == ["T", "T-1", "T-1-1", "T-1-1-1", "T-1-1-2"]
    assert roster.units[0].lat == 28.2 and roster.units[0].radius_m == 9000
    assert roster.units[4].level == Level.MICRO_GRID
    staff = {s.code: s for s in roster.staff}
    assert staff["C1"].phone == "13912345678"
    assert staff["C2"].phone == "0731-87654321"
    assert staff["W2"].unit_codes == ("T-1-1-1", "T-1-1-2")
    houses = {h.code: h for h in roster.households}
    assert houses["H1"].tags == ("elderly_alone", "pensioner")
    assert houses["H1"].pension_month == 7
    assert houses["H2"].phone == "073187654321" and houses["H2"].members == 4
    assert houses["H3"].tags == ("pensioner", "low_income") and houses["H3"].pension_month == 12
    assert houses["H3"].members == 1 and houses["H3"].phone == ""
    return roster


def test_csv_with_bom_and_chinese_headers(tmp_path: Path) -> None:
    check_small_roster(read_roster(write_csv_roster(tmp_path / "roster")))


def test_csv_without_bom_and_gb18030(tmp_path: Path) -> None:
    check_small_roster(read_roster(write_csv_roster(tmp_path / "utf8", "utf-8")))
    check_small_roster(read_roster(write_csv_roster(tmp_path / "gbk", "gb18030")))


def test_xlsx_with_chinese_sheet_names_and_numeric_cells(tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    sheets = {"单元": UNITS, "人员": STAFF, "住户": HOUSEHOLDS}
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        ws.append([f"{title}花名册"])  # a title row above the header is tolerated
        for row in rows:
            ws.append(row)
    # Excel keeps typed-in numbers as numbers: level, phone, members, coordinates.
    book["单元"]["C3"] = 1
    book["单元"]["E3"] = 28.2
    book["单元"]["G3"] = 9000.0
    book["人员"]["C3"] = 13912345678
    book["人员"]["C5"] = 13812345678.0
    book["人员"]["D5"] = 3.0
    book["住户"]["F4"] = 4
    path = tmp_path / "roster.xlsx"
    book.save(path)
    check_small_roster(read_roster(path))


def test_numeric_codes_are_normalised(tmp_path: Path) -> None:
    units = [["code", "name", "level", "parent_code"], [1.0, "镇", 1, None], [11, "村", 2, 1.0]]
    staff = [["code", "name", "phone", "level", "unit_code"], [7.0, "王芳", 13912345678.0, 2, 11]]
    households = [["code", "micro_grid_code", "head_name"]]
    book = Workbook()
    book.remove(book.active)
    for title, rows in (("units", units), ("staff", staff), ("households", households)):
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(tmp_path / "r.xlsx")
    roster = read_roster(tmp_path / "r.xlsx")
    assert isinstance(roster, Roster), str(roster)
    assert roster.units[1].code == "11" and roster.units[1].parent_code == "1"
    assert roster.staff[0].code == "7" and roster.staff[0].unit_codes == ("11",)
    assert roster.staff[0].phone == "13912345678"


def test_staff_repeated_rows_merge_units(tmp_path: Path) -> None:
    staff = [
        *STAFF[:4],
        ["W2", "张秀兰", "13712345678", "4", "T-1-1-1"],
        ["W2", "张秀兰", "137-1234-5678", "4", "T-1-1-2"],
    ]
    folder = write_csv_roster(tmp_path / "r")
    write_csv(folder, "staff.csv", staff, "utf-8-sig")
    roster = check_small_roster(read_roster(folder))
    assert len([s for s in roster.staff if s.code == "W2"]) == 1


def test_phone_formats() -> None:
    assert parse_phone("139-1234-5678") == "13912345678"
    assert parse_phone("+86 139 1234 5678") == "13912345678"
    assert parse_phone("0731 87654321") == "073187654321"
    assert parse_phone("0731-8765432") == "0731-8765432"
    assert parse_phone("010-12345678") == "010-12345678"


async def test_small_roster_imports_into_sqlite(tmp_path: Path) -> None:
    roster = check_small_roster(read_roster(write_csv_roster(tmp_path / "r")))
    db = await Database.open(tmp_path / "grid.db")
    try:
        summary = await apply_roster(db, roster, NOW, actor="cli", source="r")
        assert (summary.units.created, summary.staff.created, summary.households.created) == (
            5,
            4,
            3,
        )
        micro = await db.fetchone("SELECT * FROM units WHERE code = 'T-1-1-1'")
        assert micro is not None
        ids = {r["code"]: r["id"] for r in await db.fetchall("SELECT code, id FROM units")}
        assert (micro["l1_id"], micro["l2_id"], micro["l3_id"], micro["l4_id"]) == (
            ids["T"],
            ids["T-1"],
            ids["T-1-1"],
            ids["T-1-1-1"],
        )
        assert micro["parent_id"] == ids["T-1-1"] and micro["radius_m"] == 150
        village = await db.fetchone("SELECT * FROM units WHERE code = 'T-1'")
        assert village is not None and (village["l3_id"], village["l4_id"]) == (None, None)
        held = await db.fetchall(
            "SELECT u.code FROM staff_units su JOIN staff s ON s.id = su.staff_id"
            " JOIN units u ON u.id = su.unit_id WHERE s.code = 'W2' ORDER BY u.code"
        )
        assert [r["code"] for r in held] == ["T-1-1-1", "T-1-1-2"]
        house = await db.fetchone("SELECT * FROM households WHERE code = 'H1'")
        assert house is not None
        assert house["tags"] == "elderly_alone pensioner" and house["pension_month"] == 7
        assert house["micro_grid_id"] == ids["T-1-1-1"]
        assert house["added_at"] == int(NOW.timestamp()) and house["active"] == 1
        audit = await db.fetchone("SELECT * FROM audit_log WHERE action = 'roster.import'")
        assert audit is not None and audit["actor"] == "cli" and '"created":3' in audit["detail"]
    finally:
        await db.close()
