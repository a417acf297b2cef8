"""Satisfaction figures, computed by hand: the digest's sentence per unit and per worker, the
assessment's share, the export's columns and sheets."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import file_report
from tests.e2e.satisfaction_steps import (
    DISSATISFIED,
    FAIR,
    ME_TOO,
    SATISFIED,
    callback_for,
    confirm,
    rate,
    resolve,
)


async def _town(h: Harness):
    """In village V1: M1 (grid G1, worker 张秀兰) with three reports answered 满意, 基本满意
    (a me-too neighbour) and 不满意; M3 (grid G2, worker 王芳) with one answered 基本满意."""
    l4a, l4b = await h.staff("L4A"), await h.staff("L4B")
    resident, neighbour, other = h.user("王秀英"), h.user("李四"), h.user("杨五")
    m1 = await h.group("益家冲组联系群", [resident, neighbour, l4a], bind_code="M1", by=l4a)
    m3 = await h.group("杨家湾组联系群", [other, l4b], bind_code="M3", by=l4b)
    first = await file_report(h, resident, m1, "路灯坏了")
    confirmation = h.last(m1)
    await h.press(neighbour, confirmation, buttons(confirmation)[ME_TOO])
    second = await file_report(h, resident, m1, "井盖丢了")
    third = await file_report(h, other, m3, "水管漏水")
    for number, worker, chat, person in (
        (first, l4a, m1, resident),
        (second, l4a, m1, resident),
        (third, l4b, m3, other),
    ):
        await resolve(h, worker, number)
        await confirm(h, person, chat, number)
    await rate(h, resident, callback_for(h, m1, resident, first), SATISFIED)
    await rate(h, neighbour, callback_for(h, m1, neighbour, first), FAIR)
    await rate(h, resident, callback_for(h, m1, resident, second), DISSATISFIED)
    await rate(h, other, callback_for(h, m3, other, third), FAIR)
    return first, second, third


async def test_digest_shows_the_rate_per_unit_and_worker(h: Harness) -> None:
    cadre = await h.staff("V1C")
    await _town(h)
    await h.send(cadre, cadre, "/digest")
    text = next(m["text"] for m in reversed(h.bot_posts(cadre)) if "回访" in m.get("text", ""))
    # 4 answers: 1 满意 + 2 基本满意 = 3 content of 4 = 75%.
    assert "本期回访4人次，满意1人次、基本满意2人次、不满意1人次，满意率75%。" in text
    # G1 (M1): 满意, 基本满意, 不满意 = 2/3; G2 (M3): 基本满意 = 1/1.
    assert "各单位满意率：大屯营村第1网格 67%（2/3）；大屯营村第2网格 100%（1/1）" in text
    assert "各网格员满意率：张秀兰 67%（2/3）；王芳 100%（1/1）" in text


async def test_assessment_counts_satisfaction_as_one_more_share(tmp_path: Path) -> None:
    h = await Harness(tmp_path, settings={"cadre": {"assessment": {"min_reports": 1}}}).open()
    try:
        cadre = await h.staff("V1C")
        await _town(h)
        await h.send(cadre, cadre, "/assess")
        line = next(x for x in h.last_text(cadre).splitlines() if "张秀兰" in x)
        # 张秀兰: contact 0/4 = 0, visit 0/4 = 0, in time 2/2 = 1, on the spot 1/2 (the
        # reopened one no longer counts), not reopened 1/2, confirmed 2/2 = 1, satisfied 2/3:
        # (0 + 0 + 1 + 0.5 + 0.5 + 1 + 2/3) / 7 = 52%.
        assert "综合52%" in line and "满意67%（2/3）" in line, line
        line = next(x for x in h.last_text(cadre).splitlines() if "王芳" in x)
        assert "满意100%（1/1）" in line
    finally:
        await h.close()


async def test_export_has_the_callback_columns_and_sheets(h: Harness) -> None:
    town = await h.staff("C1")
    first, second, third = await _town(h)
    await h.send(town, town, "/export")
    offer = h.last(town)
    await h.press(town, offer, buttons(offer)["Excel 表格（.xlsx）"])
    book = openpyxl.load_workbook(io.BytesIO(h.sb.document(h.last(town))))
    rows = [[c.value for c in r] for r in book["问题"].iter_rows()]
    head = rows[0]
    by_number = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert [by_number[first][k] for k in ("我也遇到户数", "反映人回访评价", "待督办")] == [
        1,
        "满意",
        "否",
    ]
    assert by_number[second]["反映人回访评价"] == "不满意"
    assert by_number[third]["我也遇到户数"] == 0
    ratings = [[c.value for c in r][:3] for r in book["回访评价"].iter_rows()][1:]
    assert ratings == [
        [first, "反映人", "满意"],
        [first, "也遇到的群众", "基本满意"],
        [second, "反映人", "不满意"],
        [third, "反映人", "基本满意"],
    ]
    workers = [[c.value for c in r] for r in book["网格员回访满意率"].iter_rows()][1:]
    assert workers[0][:6] == ["L4A", "张秀兰", 3, 1, 1, 1]
    assert abs(workers[0][6] - 2 / 3) < 1e-9
    assert workers[1][:7] == ["L4B", "王芳", 1, 0, 1, 0, 1]
