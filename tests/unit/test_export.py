"""The export read back with openpyxl (and as CSV), cell by cell; personal data only for L1."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from bot.__main__ import main
from bot.clock import to_ts
from bot.config import Config
from bot.storage import contacts, grid, pension, survey
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from bot.texts import Texts
from models.contacts import LogKind, Outcome
from models.errors import Refusal
from models.pension import Mode, NewRequest, Status
from models.units import Level
from services.actors import actor_for
from services.export import build_sheets, export_for
from services.sheets import write_csv_dir, write_xlsx
from tests import town
from tests.builders import put_event, put_report

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
CONFIG = Config()


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "grid.sqlite3")
    await apply_roster(database, town.test_town(), NOW - timedelta(days=30))
    await _records(database)
    yield database
    await database.close()


async def _records(db: Database) -> None:
    m1 = await grid.unit_by_code(db, "M1")
    l4a = await db.scalar("SELECT id FROM staff WHERE code = 'L4A'")
    h1 = await db.scalar("SELECT id FROM households WHERE code = 'M1-H1'")
    at = to_ts(NOW)
    async with db.transaction():
        await put_report(
            db,
            number=7,
            micro_grid="M1",
            category="infrastructure",
            description="路灯坏了",
            status="resolved",
            owner="L4A",
            reporter_tg_id=555,
            reporter_name="王秀英",
            household="M1-H1",
            on_spot=True,
            in_time=True,
            created=NOW - timedelta(hours=2),
            accepted=NOW - timedelta(hours=1),
            resolved=NOW,
        )
        await put_event(
            db,
            7,
            "accept",
            before="new",
            after="accepted",
            by="L4A",
            at=NOW - timedelta(hours=1),
            note="换了灯泡",
        )
        await put_event(
            db, 7, "resolve", before="accepted", after="resolved", by="L4A", at=NOW, note="换了灯泡"
        )
        await contacts.add_entry(
            db,
            household_id=h1,
            staff_id=l4a,
            kind=LogKind.VISIT,
            outcome=Outcome.MET,
            counts=(True, True),
            happened_on="2026-06-09",
            happened_at=at - 86400,
            note="看望",
            lat=28.2,
            lon=112.5,
            at=at,
        )
        await contacts.add_checkin(db, l4a, m1.id, 28.2, 112.5, 12.5, False, at)
        await survey.add_response(
            db,
            "2026Q2",
            "default",
            h1,
            m1.id,
            555,
            None,
            at,
            [("satisfaction", "rating", 5), ("suggestion", "text", "好")],
        )
        await pension.add_request(
            db,
            NewRequest(
                mode=Mode.HOME_VISIT,
                status=Status.OPEN,
                for_self=False,
                person_name="王奶奶",
                id_last4="1234",
                phone="13800001111",
                requester_tg_id=555,
                requester_name="王秀英",
                household_id=h1,
                micro_grid_id=m1.id,
                level=Level.MICRO_GRID,
                unit_id=m1.id,
                due_at=NOW + timedelta(days=3),
                source_chat_id=555,
                source_message_id=9,
            ),
            at,
        )


def _sheet(book, name):
    ws = book[name]
    return [[c.value for c in row] for row in ws.iter_rows()]


async def test_l1_export_read_back_cell_by_cell(db, tmp_path):
    t = Texts().lang("zh")
    actor = await actor_for(db, 0)
    async with db.transaction():
        c1 = await db.scalar("SELECT id FROM staff WHERE code = 'C1'")
        await db.execute("UPDATE staff SET tg_user_id = 9001 WHERE id = ?", (c1,))
    actor = await actor_for(db, 9001)
    sheets = await export_for(db, CONFIG, t, actor)
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(sheets, CONFIG.tz)))
    assert book.sheetnames == [
        "问题",
        "问题处理记录",
        "回访评价",
        "网格员回访满意率",
        "联系记录",
        "走访记录",
        "签到",
        "问卷答复",
        "养老认证",
        "人员",
        "网格单元",
    ]
    reports = _sheet(book, "问题")
    assert reports[0][:10] == [
        "编号",
        "反映时间",
        "村（社区）",
        "网格",
        "微网格",
        "类别",
        "状态",
        "当前处理层级",
        "反映人",
        "户编号",
    ]
    row = dict(zip(reports[0], reports[1], strict=True))
    assert row["编号"] == 7 and isinstance(row["编号"], int)
    assert row["反映时间"] == datetime(2026, 6, 10, 8, 0)  # a date, in the town's zone
    assert (row["村（社区）"], row["网格"], row["微网格"]) == (
        "大屯营村",
        "大屯营村第1网格",
        "益家冲组",
    )
    assert (row["类别"], row["状态"], row["当前处理层级"]) == (
        "民生基础设施建设",
        "已解决，待确认",
        "四级网格员",
    )
    assert (row["反映人"], row["户编号"], row["负责人"]) == ("王秀英", "M1-H1", "张秀兰")
    assert (row["就地解决"], row["按时受理"], row["上报次数"]) == ("是", "是", 0)
    assert row["解决时间"] == datetime(2026, 6, 10, 10, 0)
    assert (row["我也遇到户数"], row["反映人回访评价"], row["待督办"]) == (0, None, "否")
    ws = book["问题"]
    # No recording and no location: the marker and coordinate columns stay empty.
    assert (row["附件"], row["纬度"], row["经度"]) == (None, None, None)
    # Two more columns (recorder, collected on) for reports filed for a household.
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:AB2"
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    history = _sheet(book, "问题处理记录")
    assert [r[2] for r in history[1:]] == ["受理", "解决"] or len(history) == 3
    assert history[2][6] == "张秀兰" and history[2][8] == "换了灯泡"
    visits = _sheet(book, "走访记录")
    visit = dict(zip(visits[0], visits[1], strict=True))
    assert (visit["户主"], visit["结果"], visit["纬度"], visit["网格员"]) == (
        "王秀英" if False else "M1户主1",
        "见到本人",
        28.2,
        "张秀兰",
    )
    assert len(_sheet(book, "联系记录")) == 1  # headers only: no plain contact logged
    checkin = dict(zip(*_sheet(book, "签到")[:2], strict=True))
    assert checkin["距网格中心（米）"] == 12.5 and checkin["位置异常"] == "否"
    answers = dict(zip(*_sheet(book, "问卷答复")[:2], strict=True))
    assert answers["satisfaction"] == 5 and answers["suggestion"] == "好"
    assert answers["户编号"] == "M1-H1" and answers["轮次"] == "2026Q2"
    request = dict(zip(*_sheet(book, "养老认证")[:2], strict=True))
    assert (request["认证人"], request["身份证后四位"], request["联系电话"]) == (
        "王奶奶",
        "1234",
        "13800001111",
    )
    assert request["方式"] == "上门认证" and request["状态"] == "待上门"
    staff = _sheet(book, "人员")
    assert ["C1", "刘建国", "13900000001", "镇干部", "T", "是", "是"] in staff
    units = _sheet(book, "网格单元")
    assert ["M1", "益家冲组", 4, "G1", 4, "是", 28.2, 112.5, 800] in units


async def test_lower_export_has_no_personal_data(db):
    t = Texts().lang("zh")
    village = await grid.unit_by_code(db, "V1")
    async with db.transaction():
        sheets = await build_sheets(db, CONFIG, t, village, personal=False)
    by_name = {s.name: s for s in sheets}
    assert "反映人" not in by_name["问题"].headers
    assert "户主" not in by_name["走访记录"].headers and "纬度" not in by_name["走访记录"].headers
    for column in ("认证人", "身份证后四位", "联系电话", "申请人"):
        assert column not in by_name["养老认证"].headers
    cells = {str(v) for s in sheets for row in s.rows for v in row}
    for secret in ("王秀英", "王奶奶", "1234", "13800001111", "M1户主1", "555"):
        assert secret not in cells


async def test_export_refused_below_l1(db):
    t = Texts().lang("zh")
    async with db.transaction():
        await db.execute("UPDATE staff SET tg_user_id = 9002 WHERE code = 'V1C'")
    with pytest.raises(Refusal):
        await export_for(db, CONFIG, t, await actor_for(db, 9002))
    with pytest.raises(Refusal):
        await export_for(db, CONFIG, t, await actor_for(db, 12345))


async def test_cli_export_xlsx_and_csv(db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{db.path}"\n', encoding="utf-8")
    # The command line runs its own event loop: call it from a thread, as a shell would.
    assert (
        await asyncio.to_thread(
            main, ["export", "--config", str(config), str(tmp_path / "out.xlsx")]
        )
        == 0
    )
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert _sheet(book, "问题")[1][0] == 7
    assert (
        await asyncio.to_thread(
            main, ["export", "--config", str(config), "--language", "en", str(tmp_path / "csv")]
        )
        == 0
    )
    files = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert files[0] == "01_Reports.csv" and len(files) == 11
    text = (tmp_path / "csv" / "01_Reports.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Number", "Filed at", "Village"]
    assert rows[1][:3] == ["7", "2026-06-10 08:00:00", "大屯营村"]


async def test_csv_dir_writes_utf8_with_bom(tmp_path, db):
    t = Texts().lang("zh")
    async with db.transaction():
        sheets = await build_sheets(db, CONFIG, t, None, personal=True)
    paths = write_csv_dir(sheets, CONFIG.tz, tmp_path / "out")
    assert paths[0].read_bytes()[:3] == b"\xef\xbb\xbf"


async def test_call_back_answers_name_the_report_by_its_number_in_the_town(db):
    """A report's number within its town (town_seq) is what every sheet shows, not its id."""
    report = await put_report(db, number=40, town_seq=3, status="closed", created=NOW)
    async with db.transaction():
        await db.execute(
            "INSERT INTO report_ratings (report_id, rater, tg_user_id, chat_id, asked_at, "
            "rating, answered_at) VALUES (?, 'reporter', 1, -1, ?, 'satisfied', ?)",
            (report, to_ts(NOW), to_ts(NOW)),
        )
        sheets = await build_sheets(db, CONFIG, Texts().lang("zh"), None, personal=True)
    by_name = {s.name: s for s in sheets}
    [row] = [r for r in by_name["回访评价"].rows if r[1] != ""]
    assert row[0] == 3
    assert 3 in [r[0] for r in by_name["问题"].rows]
