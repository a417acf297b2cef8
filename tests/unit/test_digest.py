"""Digest figures: the domain tallies, the town's sentence, periods, storage over a real town."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import to_ts
from bot.config import Config
from bot.storage import grid
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from bot.texts import Texts
from handlers.cadre.digest_render import render_digest, town_sentence
from models.digest import (
    SpanKind,
    State,
    previous_span,
    report_figures,
    span_containing,
    span_to_date,
    state_of,
)
from models.reports import Status
from services.digest import build_digest
from tests import town
from tests.builders import count, put_report

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
TOWN_LABELS = {
    "infrastructure": "民生公共设施建设",
    "policy": "政策咨询",
    "dispute": "矛盾纠纷",
    "other": "其他",
}


def zh():
    return Texts().lang("zh")


def test_town_sentence_178_160_18():
    # 160 solved on the spot (spread over categories), 18 in progress: 12 + 1 + 3 + 2.
    rows = [
        count(1, "infrastructure", Status.CLOSED, on_spot=True, total=100),
        count(1, "policy", Status.RESOLVED, on_spot=True, total=40),
        count(2, "other", Status.CLOSED, on_spot=True, total=20),
        count(1, "infrastructure", Status.ACCEPTED, total=7),
        count(2, "infrastructure", Status.NEW, total=5),
        count(2, "policy", Status.NEW, total=1),
        count(1, "dispute", Status.ACCEPTED, overdue=True, total=3),
        count(2, "other", Status.ACCEPTED, total=2),
    ]
    tally = report_figures(rows).total
    assert (tally.collected, tally.on_spot, tally.in_progress) == (178, 160, 18)
    assert town_sentence(zh(), tally, TOWN_LABELS) == (
        "共收集问题178个，就地解决160个，18个正在处理。"
        "其中民生公共设施建设类12个、政策咨询类1个、矛盾纠纷类3个、其他类2个"
    )


def test_sentence_names_escalated_and_withdrawn_only_when_there_are_some():
    rows = [
        count(1, "policy", Status.CLOSED, total=2, in_period=2),
        count(1, "policy", Status.REJECTED, total=1, in_period=1),
        count(1, "other", Status.CLOSED, on_spot=True, total=3, in_period=3),
    ]
    tally = report_figures(rows).total
    assert town_sentence(zh(), tally, TOWN_LABELS) == (
        "共收集问题6个，就地解决3个，上报后解决2个，重复或不予受理1个，0个正在处理。"
    )
    en = Texts().lang("en")
    assert town_sentence(en, tally, {"policy": "policy", "other": "other"}) == (
        "6 problems collected, 3 solved on the spot, 2 resolved after escalation, "
        "1 duplicate or rejected, 0 in progress."
    )


def test_states():
    assert state_of(Status.RESOLVED, True) is State.ON_SPOT
    assert state_of(Status.CLOSED, False) is State.AFTER_ESCALATION
    assert state_of(Status.NEW, False) is State.IN_PROGRESS
    assert state_of(Status.ACCEPTED, True) is State.IN_PROGRESS  # reopened after a fix
    assert state_of(Status.DUPLICATE, False) is State.WITHDRAWN
    assert state_of(Status.REJECTED, False) is State.WITHDRAWN


def test_figures_by_sub_unit_and_period():
    rows = [
        count(
            10, "policy", Status.ACCEPTED, overdue=True, total=4, in_period=1
        ),  # 1 of 4 this period
        count(10, "policy", Status.CLOSED, on_spot=True, total=2, in_period=2),
        count(11, "dispute", Status.RESOLVED, total=5),
        count(11, "dispute", Status.NEW, total=1, in_period=1),
    ]
    f = report_figures(rows, [10, 11, 12])
    assert (f.total.collected, f.period.collected) == (12, 4)
    assert (f.total.overdue, f.period.overdue) == (4, 1)
    assert f.total.in_progress_by_category == {"policy": 4, "dispute": 1}
    assert f.period.collected_by_category == {"policy": 3, "dispute": 1}
    assert f.sub_total[10].on_spot == 2 and f.sub_total[10].in_progress == 4
    assert f.sub_total[11].after_escalation == 5 and f.sub_period[11].in_progress == 1
    assert f.sub_total[12].collected == 0  # listed sub-units appear even when quiet
    assert f.category_total["dispute"].after_escalation == 5


def test_spans_in_the_towns_calendar():
    day = span_containing(SpanKind.DAY, NOW, TZ)
    assert day.key == "2026-06-10" and day.start == datetime(2026, 6, 9, 16, tzinfo=UTC)
    assert previous_span(SpanKind.WEEK, NOW, TZ).key == "2026-W23"
    assert previous_span(SpanKind.MONTH, NOW, TZ).key == "2026-05"
    assert span_to_date(SpanKind.QUARTER, NOW, TZ).end == NOW + timedelta(seconds=1)
    # 23:30 UTC on 31 May is already 1 June in Shanghai.
    assert (
        span_containing(SpanKind.MONTH, datetime(2026, 5, 31, 23, 30, tzinfo=UTC), TZ).key
        == "2026-06"
    )


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "x.sqlite3")
    await apply_roster(database, town.test_town(), NOW - timedelta(days=60))
    yield database
    await database.close()


async def test_digest_of_a_village_from_the_database(db):
    week_ago, today = NOW - timedelta(days=9), NOW - timedelta(hours=1)
    # V1: M1, M2 in G1; M3 in G2. V2: M4 (must not count for V1).
    await put_report(
        db,
        micro_grid="M1",
        category="infrastructure",
        status="closed",
        created=week_ago,
        on_spot=True,
    )
    await put_report(
        db,
        micro_grid="M1",
        category="infrastructure",
        status="accepted",
        created=today,
        overdue=True,
    )
    await put_report(
        db, micro_grid="M2", category="policy", status="resolved", created=today
    )  # after escalation
    await put_report(db, micro_grid="M3", category="dispute", status="new", created=week_ago)
    await put_report(db, micro_grid="M3", category="other", status="duplicate", created=today)
    await put_report(db, micro_grid="M4", category="other", status="new", created=today)
    config = Config()
    village = await grid.unit_by_code(db, "V1")
    span = span_containing(SpanKind.DAY, NOW, TZ)
    async with db.transaction():
        digest = await build_digest(db, config, village, span, NOW)
    f = digest.reports
    assert (
        f.total.collected,
        f.total.on_spot,
        f.total.after_escalation,
        f.total.in_progress,
        f.total.withdrawn,
        f.total.overdue,
    ) == (5, 1, 1, 2, 1, 1)
    assert (f.period.collected, f.period.in_progress) == (3, 1)
    g1, g2 = (await grid.unit_by_code(db, "G1")), (await grid.unit_by_code(db, "G2"))
    assert [u.code for u in digest.sub_units] == ["G1", "G2"]
    assert f.sub_total[g1.id].collected == 3 and f.sub_total[g2.id].collected == 2
    assert f.sub_total[g2.id].in_progress_by_category == {"dispute": 1}
    text = render_digest(zh(), config, digest)
    assert "共收集问题5个，就地解决1个，上报后解决1个，重复或不予受理1个，2个正在处理。" in text
    assert "其中民生基础设施建设类1个、矛盾纠纷化解类1个" in text
    assert "大屯营村第1网格：本期收集2个；累计3个" in text
    assert "正在处理的问题中超期1个" in text


async def test_digest_shows_compliance_pension_failed_sends_and_survey(db):
    from bot.storage import contacts, pension, survey
    from models.contacts import LogKind, Outcome
    from models.pension import Mode, NewRequest
    from models.pension import Status as PensionStatus
    from models.units import Level

    m1, m2 = await grid.unit_by_code(db, "M1"), await grid.unit_by_code(db, "M2")
    l4a = await db.scalar("SELECT id FROM staff WHERE code = 'L4A'")
    h1 = await db.scalar("SELECT id FROM households WHERE code = 'M1-H1'")
    h2 = await db.scalar("SELECT id FROM households WHERE code = 'M2-H1'")
    at = to_ts(NOW - timedelta(hours=2))
    async with db.transaction():
        await contacts.add_entry(
            db,
            household_id=h1,
            staff_id=l4a,
            kind=LogKind.VISIT,
            outcome=Outcome.MET,
            counts=(True, True),
            happened_on="2026-06-10",
            happened_at=at,
            note="",
            lat=None,
            lon=None,
            at=at,
        )
        request = await pension.add_request(
            db,
            NewRequest(
                mode=Mode.HOME_VISIT,
                status=PensionStatus.OPEN,
                for_self=True,
                person_name="王奶奶",
                id_last4="1234",
                phone="13800001111",
                requester_tg_id=5,
                requester_name="王奶奶",
                household_id=h2,
                micro_grid_id=m2.id,
                level=Level.MICRO_GRID,
                unit_id=m2.id,
                due_at=NOW - timedelta(days=1),
                source_chat_id=5,
                source_message_id=1,
            ),
            at,
        )
        await db.execute("UPDATE pension_requests SET overdue = 1 WHERE id = ?", (request,))
        await db.execute(
            "INSERT INTO ledger (kind, period_key, recipient, staff_id, chat_id, payload, status, "
            "error, created_at) VALUES ('reminder:monthly_contact', '2026-06-10T10:00', ?, ?, "
            "1, '{\"period\": \"2026-06\"}', 'failed', 'Forbidden', ?)",
            (f"staff:{l4a}", l4a, at),
        )
        for household, micro_grid, scores in ((h1, m1.id, (4, 5)), (h2, m2.id, (4, 5))):
            await survey.add_response(
                db,
                "2026Q2",
                "default",
                household,
                micro_grid,
                5,
                None,
                at,
                [("satisfaction", "rating", scores[0]), ("happiness", "rating", scores[1])],
            )
    village = await grid.unit_by_code(db, "V1")
    config = Config()
    async with db.transaction():
        digest = await build_digest(
            db, config, village, span_containing(SpanKind.DAY, NOW, TZ), NOW
        )
    text = render_digest(zh(), config, digest)
    assert "本月联系群众：1/10户（10%）" in text
    assert "本季度入户走访：1/10户（10%）" in text
    assert "张秀兰（益家冲组：联系1/4，走访1/4）" in text
    assert "王芳（渣塘冲组、杨家湾组：联系0/6，走访0/6）" in text
    assert "养老认证上门待办：1件（其中超期1件）" in text
    assert "提醒发送失败：1条（张秀兰）" in text
    assert "问卷（2026Q2轮）均分：满意度4.0分；幸福感5.0分（2户作答）" in text
