"""Problems collected on visits (代报 from a visit) in digests and the export."""

from __future__ import annotations

import io

import openpyxl

from sandbox.state import User
from tests.e2e.harness import Harness, buttons
from tests.e2e.households_steps import MET, PHONE, log_entry, press_like
from tests.e2e.reporting import RESOLVE, file_report, note, press_on
from tests.e2e.test_onbehalf import FILE_FOR, describe


async def _for_household(h: Harness, worker: User, command: str, household: str, text: str) -> int:
    outcome = MET if command == "/visit" else PHONE
    await log_entry(h, worker, command, household, outcome)
    await press_like(h, worker, FILE_FOR)
    return await describe(h, worker, text)


async def test_digest_counts_problems_collected_on_visits(h: Harness) -> None:
    cadre = await h.staff("V1C")
    l4a, l4b = await h.staff("L4A", "张秀兰"), await h.staff("L4B", "王芳")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, l4a], bind_code="M1", by=l4a)
    await file_report(h, resident, group, "路灯坏了")  # M1, the resident's own
    on_visit = await _for_household(h, l4a, "/visit", "M1户主2", "排水沟堵了")  # M1, visit
    await _for_household(h, l4a, "/contact", "M1户主1", "咨询低保")  # M1, contact
    await _for_household(h, l4b, "/visit", "M2户主1", "院墙裂缝")  # M2, visit
    await h.send(l4a, l4a, "/report 路口积水")  # M1, from /report: no visit
    await press_like(h, l4a, "M1户主4")
    await press_like(h, l4a, "民生基础设施建设")
    await press_on(h, l4a, on_visit, RESOLVE)
    await note(h, l4a, "已疏通")
    # By hand: 5 collected, 2 of them on visits (M1 1, M2 1); 1 solved on the spot, 4 open.
    await h.send(cadre, cadre, "/digest")
    text = next(m["text"] for m in reversed(h.bot_posts(cadre)) if "text" in m)
    assert "共收集问题5个（其中走访收集2个），就地解决1个，4个正在处理。" in text, text
    assert (
        "大屯营村第1网格：本期收集5个；累计5个，就地解决1个，上报后解决0个，正在处理4个，走访收集2个"
        in text
    )
    chart = h.last(cadre)
    await h.press(cadre, chart, buttons(chart)["大屯营村第1网格"])
    text = next(m["text"] for m in reversed(h.bot_posts(cadre)) if "text" in m)
    assert (
        "益家冲组：本期收集4个；累计4个，就地解决1个，上报后解决0个，正在处理3个，走访收集1个"
        in text
    )
    assert (
        "渣塘冲组：本期收集1个；累计1个，就地解决0个，上报后解决0个，正在处理1个，走访收集1个"
        in text
    )
    # The export names the recorder and where the problem was collected.
    town = await h.staff("C1")
    await h.send(town, town, "/export")
    offer = h.last(town)
    await h.press(town, offer, buttons(offer)["Excel 表格（.xlsx）"])
    book = openpyxl.load_workbook(io.BytesIO(h.sb.document(h.last(town))))
    rows = [[c.value for c in r] for r in book["问题"].iter_rows()]
    header = rows[0]
    at = {name: header.index(name) for name in ("编号", "反映人", "代为登记的网格员", "收集方式")}
    seen = {
        r[at["编号"]]: (r[at["反映人"]], r[at["代为登记的网格员"]], r[at["收集方式"]])
        for r in rows[1:]
    }
    assert seen[on_visit] == ("M1户主2", "张秀兰", "走访时收集")
    assert sorted(seen.values(), key=str) == sorted(
        [
            ("M1户主1", "张秀兰", "联系时收集"),
            ("M1户主2", "张秀兰", "走访时收集"),
            ("M1户主4", "张秀兰", "网格员代为登记"),
            ("M2户主1", "王芳", "走访时收集"),
            ("王秀英", None, None),
        ],
        key=str,
    )
