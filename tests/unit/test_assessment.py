"""Assessment: every figure per worker on a hand-made month, the score, the ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import to_ts
from bot.config import config_from_dict
from bot.storage import contacts, grid
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from bot.texts import Texts
from handlers.cadre.assess_render import assessment_sheet, render_assessment
from models.assessment import WorkerFigures, rank, score
from models.contacts import LogKind, Outcome
from models.digest import SpanKind, previous_span
from services.assessment import build_assessment
from tests import town
from tests.builders import put_event, put_report

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
MAY = datetime(2026, 5, 12, 2, 0, tzinfo=UTC)


def test_score_and_ranking_with_ties_and_too_few():
    def worker(code, handled, in_time, resolved, on_spot, group=1):
        return WorkerFigures(
            staff_id=hash(code) % 1000,
            code=code,
            name=code,
            level=4,
            group_id=group,
            contact_share=1.0,
            visit_share=0.5,
            handled=handled,
            accepted_judged=handled,
            accepted_in_time=in_time,
            resolved=resolved,
            on_spot=on_spot,
        )

    a, b, c, d = (
        worker("A", 4, 4, 4, 4),
        worker("B", 4, 4, 4, 4),
        worker("C", 4, 2, 4, 0),
        worker("D", 1, 1, 1, 1),
    )
    # A: mean(1, .5, 1, 1, 1 (none reopened), 0 (none confirmed)) = 4.5 / 6
    assert score(a) == pytest.approx(4.5 / 6)
    assert score(d, judge_reports=False) == pytest.approx(0.75)
    ranking = rank([c, b, a, d], min_reports=3)[1]
    assert [(r.place, r.worker.code) for r in ranking.ranked] == [(1, "A"), (1, "B"), (3, "C")]
    assert [w.code for w in ranking.too_few] == ["D"]


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "x.sqlite3")
    await apply_roster(database, town.test_town(), NOW - timedelta(days=90))
    yield database
    await database.close()


async def _staff(db, code):
    return await db.scalar("SELECT id FROM staff WHERE code = ?", (code,))


async def test_figures_of_each_worker_for_last_month(db):
    async with db.transaction():
        # L4A, M1: three reports in May.
        await put_report(
            db, number=1, micro_grid="M1", status="closed", created=MAY, in_time=True, on_spot=True
        )  # in time, on the spot
        await put_event(db, 1, "accept", before="new", level=4, by="L4A", at=MAY)
        await put_event(db, 1, "resolve", before="accepted", level=4, by="L4A", at=MAY)
        await put_event(
            db, 1, "confirm", before="resolved", level=4, at=MAY
        )  # the resident confirms
        await put_report(
            db, number=2, micro_grid="M1", status="accepted", created=MAY, in_time=False, reopens=1
        )  # late, reopened
        await put_event(db, 2, "accept", before="new", level=4, by="L4A", at=MAY)
        await put_event(db, 2, "resolve", before="accepted", level=4, by="L4A", at=MAY)
        await put_event(db, 2, "reopen", before="resolved", level=4, at=MAY)
        await put_report(
            db,
            number=3,
            micro_grid="M1",
            status="resolved",
            created=MAY,
            in_time=True,
            on_spot=True,
        )  # resolved at once
        await put_event(db, 3, "resolve", before="new", level=4, by="L4A", at=MAY)
        # L4B, M2: one report.
        await put_report(
            db,
            number=4,
            micro_grid="M2",
            status="resolved",
            created=MAY,
            in_time=True,
            on_spot=True,
        )
        await put_event(db, 4, "accept", before="new", level=4, by="L4B", at=MAY)
        await put_event(db, 4, "resolve", before="accepted", level=4, by="L4B", at=MAY)
        # L3A takes an escalated report at the grid level and resolves it.
        await put_report(db, number=5, micro_grid="M2", status="resolved", created=MAY)
        await put_event(db, 5, "accept", before="new", level=3, by="L3A", at=MAY)
        await put_event(db, 5, "resolve", before="accepted", level=3, by="L3A", at=MAY)
        # June's work does not count for May.
        await put_report(
            db, number=6, micro_grid="M1", status="closed", created=MAY, in_time=True, on_spot=True
        )
        await put_event(db, 6, "accept", before="new", level=4, by="L4A", at=NOW)
        # One household of M1 (of four) visited and met in May.
        household = await db.scalar("SELECT id FROM households WHERE code = 'M1-H1'")
        await contacts.add_entry(
            db,
            household_id=household,
            staff_id=await _staff(db, "L4A"),
            kind=LogKind.VISIT,
            outcome=Outcome.MET,
            counts=(True, True),
            happened_on="2026-05-12",
            happened_at=to_ts(MAY),
            note="",
            lat=None,
            lon=None,
            at=to_ts(MAY),
        )
    config = config_from_dict({"cadre": {"assessment": {"min_reports": 1}}})
    village = await grid.unit_by_code(db, "V1")
    span = previous_span(SpanKind.MONTH, NOW, config.tz)
    async with db.transaction():
        found = await build_assessment(db, config, village, span, NOW)
    by_code = {w.code: w for w in found.workers}
    a = by_code["L4A"]
    assert (
        a.handled,
        a.accepted_judged,
        a.accepted_in_time,
        a.resolved,
        a.on_spot,
        a.reopened,
        a.confirmed,
    ) == (3, 3, 2, 3, 2, 1, 1)
    assert (a.contact_share, a.visit_share) == (0.25, 0.25)
    b = by_code["L4B"]
    assert (b.handled, b.accepted_in_time, b.on_spot, b.confirmed) == (1, 1, 1, 0)
    assert (b.contact_share, b.visit_share) == (0.0, 0.0)  # six households, none contacted
    c = by_code["L3A"]
    assert (c.handled, c.accepted_judged, c.resolved, c.on_spot) == (1, 0, 1, 0)
    assert c.contact_share is None  # grid workers hold no households of their own
    assert score(a) == pytest.approx((0.25 + 0.25 + 2 / 3 + 2 / 3 + 2 / 3 + 1 / 3) / 6)
    g1 = await grid.unit_by_code(db, "G1")
    ranking = found.rankings[g1.id]
    assert [(r.place, r.worker.code) for r in ranking.ranked] == [
        (1, "L4B"),
        (2, "L4A"),
        (3, "L3A"),
    ]
    assert [w.code for w in ranking.too_few] == ["L3B"]
    # With the default minimum of three reports, only L4A is ranked.
    strict = config_from_dict({})
    async with db.transaction():
        found = await build_assessment(db, strict, village, span, NOW)
    ranking = found.rankings[g1.id]
    assert [r.worker.code for r in ranking.ranked] == ["L4A"]
    assert [w.code for w in ranking.too_few] == ["L3A", "L3B", "L4B"]
    t = Texts().lang("zh")
    text = render_assessment(t, found)
    assert (
        "1. 张秀兰（益家冲组）综合47%｜联系25% 走访25%｜按时受理2/3 就地解决2/3 重开1 确认1" in text
    )
    assert "办理问题不足3件，不参与排名" in text
    sheet = assessment_sheet(t, found)
    assert sheet.rows[0][:4] == ("大屯营村第1网格", 1, "L4A", "张秀兰")


def test_a_long_ranking_is_summarised_and_the_whole_goes_to_a_sheet():
    from handlers.cadre.assess_render import render_summary
    from models.digest import span_containing
    from models.text_limits import split_html
    from models.units import Level, Unit
    from services.assessment import Assessment

    groups = {
        g: Unit(
            id=g,
            code=f"G{g}",
            name=f"第{g}网格",
            level=Level.GRID,
            parent_id=1,
            ancestors=(1, 2, g, None),
        )
        for g in range(10, 20)
    }
    workers = [
        WorkerFigures(
            staff_id=n,
            code=f"W{n:04d}",
            name=f"网格员{n}",
            level=4,
            group_id=10 + n % 10,
            unit_names=f"组{n}",
            contact_share=n / 400,
            visit_share=0.5,
            handled=3 + n % 2,
            accepted_judged=3,
            accepted_in_time=n % 4,
            resolved=3,
            on_spot=n % 3,
        )
        for n in range(400)
    ]
    village = Unit(
        id=2,
        code="V",
        name="大屯营村",
        level=Level.VILLAGE,
        parent_id=1,
        ancestors=(1, 2, None, None),
    )
    found = Assessment(
        unit=village,
        span=span_containing(SpanKind.MONTH, NOW, ZoneInfo("UTC")),
        groups=groups,
        rankings=rank(workers, 3),
        workers=workers,
        min_reports=3,
        at=NOW,
    )
    t = Texts().lang("zh")
    assert len(split_html(render_assessment(t, found))) > 3  # too long to read in chat
    summary = render_summary(t, found)
    assert len(split_html(summary)) <= 3 and "完整排名见附件表格" in summary
    assert len(assessment_sheet(t, found).rows) == 400
