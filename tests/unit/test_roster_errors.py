"""Rejected rosters: every bad row reported with sheet, line and reason, and no roster at all."""

from __future__ import annotations

import copy
import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from services.roster import Roster, RosterError, RosterErrors, read_roster

Rows = list[list[str]]
Sheets = dict[str, Rows]

BASE: Sheets = {
    "units": [
        ["code", "name", "level", "parent_code"],
        ["T", "镇", "1", ""],
        ["T-1", "村", "2", "T"],
        ["T-1-1", "网格", "3", "T-1"],
        ["T-1-1-1", "益家冲组", "4", "T-1-1"],
    ],
    "staff": [
        ["code", "name", "phone", "level", "unit_code"],
        ["C1", "刘建国", "13912345678", "1", "T"],
        ["W1", "李明", "13812345678", "3", "T-1-1"],
        ["W2", "张秀兰", "13712345678", "4", "T-1-1-1"],
    ],
    "households": [
        ["code", "micro_grid_code", "head_name", "address", "phone", "members", "tags"],
        ["H1", "T-1-1-1", "周桂英", "1号", "13612345678", "1", "elderly_alone"],
        ["H2", "T-1-1-1", "黄德福", "2号", "", "3", "pensioner:7"],
    ],
}


def read(tmp_path: Path, sheets: Sheets) -> Roster | RosterErrors:
    """Write the sheets as a CSV folder and read it back."""
    folder = tmp_path / "roster"
    folder.mkdir(exist_ok=True)
    for name, rows in sheets.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out).writerows(rows)
    return read_roster(folder)


def edit(sheet: str, line: int, column: int, value: str) -> Callable[[Sheets], None]:
    """A change of one cell (line numbers as the spreadsheet shows them)."""

    def apply(sheets: Sheets) -> None:
        sheets[sheet][line - 1][column] = value

    return apply


def append(sheet: str, row: list[str]) -> Callable[[Sheets], None]:
    """An extra row at the end of a sheet."""

    def apply(sheets: Sheets) -> None:
        sheets[sheet].append(row)

    return apply


CASES = [
    ("unknown parent", edit("units", 4, 3, "NOPE"), "units", 4, 'parent_code "NOPE"'),
    ("level out of range", edit("units", 3, 2, "5"), "units", 3, 'level "5" is not 0-4'),
    ("level not parent+1", edit("units", 5, 3, "T-1"), "units", 5, "needs level 3"),
    ("town with parent", edit("units", 2, 3, "T-1"), "units", 2, "level-1 unit has no parent"),
    ("duplicate unit", append("units", ["T-1", "村", "2", "T"]), "units", 6, "first on line 3"),
    ("missing name", edit("staff", 3, 1, ""), "staff", 3, '"name" is empty'),
    ("bad staff phone", edit("staff", 2, 2, "12345"), "staff", 2, "not a valid phone"),
    ("staff unit level", edit("staff", 4, 4, "T-1-1"), "staff", 4, "staff member is level 4"),
    ("unknown staff unit", edit("staff", 4, 4, "T-9"), "staff", 4, 'unit_code "T-9"'),
    ("staff bad level", edit("staff", 3, 3, "九"), "staff", 3, "is not 0-4"),
    (
        "staff conflict",
        append("staff", ["W2", "张秀兰", "13700000000", "4", "T-1-1-1"]),
        "staff",
        5,
        "different phone",
    ),
    ("duplicate household", edit("households", 3, 0, "H1"), "households", 3, "appears again"),
    ("not a micro-grid", edit("households", 2, 1, "T-1-1"), "households", 2, "not a micro-grid"),
    ("unknown micro-grid", edit("households", 2, 1, "X"), "households", 2, "not a micro-grid"),
    ("zero members", edit("households", 2, 5, "0"), "households", 2, "not a positive whole"),
    ("fraction members", edit("households", 2, 5, "2.5"), "households", 2, "not a positive"),
    ("text members", edit("households", 2, 5, "abc"), "households", 2, "not a positive"),
    ("pension month", edit("households", 3, 6, "pensioner:13"), "households", 3, '"13" is not'),
    ("unknown tag", edit("households", 2, 6, "vip"), "households", 2, 'unknown tag "vip"'),
    ("month on tag", edit("households", 2, 6, "disabled:3"), "households", 2, "takes no month"),
    ("missing head", edit("households", 2, 2, ""), "households", 2, '"head_name" is empty'),
]


@pytest.mark.parametrize(
    ("change", "sheet", "line", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_bad_row_is_reported(
    tmp_path: Path, change: Callable[[Sheets], None], sheet: str, line: int, reason: str
) -> None:
    sheets = copy.deepcopy(BASE)
    change(sheets)
    result = read(tmp_path, sheets)
    assert isinstance(result, RosterErrors), "roster with a bad row was accepted"
    assert [(e.sheet, e.line) for e in result] == [(sheet, line)], result.render()
    assert reason in result[0].reason


def test_household_phone_message(tmp_path: Path) -> None:
    sheets = copy.deepcopy(BASE)
    sheets["households"][2][4] = "12345"
    result = read(tmp_path, sheets)
    assert isinstance(result, RosterErrors)
    assert str(result[0]) == 'households line 3: phone "12345" is not a valid phone number'


def test_every_bad_row_is_collected_in_order(tmp_path: Path) -> None:
    sheets = copy.deepcopy(BASE)
    sheets["households"][1][4] = "12345"
    sheets["units"][3][3] = "NOPE"
    sheets["staff"][1][2] = "abc"
    sheets["households"][2][6] = "vip"
    result = read(tmp_path, sheets)
    assert isinstance(result, RosterErrors)
    assert [(e.sheet, e.line) for e in result] == [
        ("units", 4),
        ("staff", 2),
        ("households", 2),
        ("households", 3),
    ]
    assert len(result.render().splitlines()) == 4


def test_missing_sheet_and_column(tmp_path: Path) -> None:
    sheets = copy.deepcopy(BASE)
    del sheets["staff"]
    sheets["households"] = [row[:2] + row[3:] for row in sheets["households"]]
    result = read(tmp_path, sheets)
    assert isinstance(result, RosterErrors)
    assert RosterError("staff", None, result[0].reason) in result
    assert "sheet is missing" in result[0].reason
    column = [e for e in result if e.sheet == "households"]
    assert len(column) == 1 and column[0].line == 1 and '"head_name" is missing' in column[0].reason


def test_not_a_roster_path(tmp_path: Path) -> None:
    result = read_roster(tmp_path / "roster.txt")
    assert isinstance(result, RosterErrors) and "expected an .xlsx" in str(result)
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a zip")
    result = read_roster(broken)
    assert isinstance(result, RosterErrors) and "cannot read" in str(result)
