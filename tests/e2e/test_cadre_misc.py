"""Announcement content (photo, forwarded text, bad input), the assessment on demand and on
schedule, /export in chat."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl

from tests.e2e.harness import buttons


async def _start_announcement(h, cadre, pick="大屯营村"):
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    label = next(k for k in buttons(picker) if k.startswith("✅") and pick in k)
    await h.press(cadre, picker, buttons(picker)[label])


async def test_photo_and_forwarded_announcements_and_bad_input(h):
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await _start_announcement(h, cadre)
    await h.send(cadre, cadre, "很" * 3100)
    assert "通知太长了（3100字）" in h.last_text(cadre)
    await h.settle(h.sb.send_photo(cadre, cadre, caption="停水通知：周三上午检修"))
    preview = h.last(cadre)
    assert "photo" in preview and "停水通知" in preview["caption"]
    await h.press(cadre, preview, buttons(preview)["✅ 确认发送"])
    await h.sb.wait_for(lambda: "通知发送完成" in h.last_text(cadre))
    sent = h.last(group)
    assert "photo" in sent and "大屯营村通知" in sent["caption"] and "停水通知" in sent["caption"]
    # A forwarded message is taken as it is (formatting kept).
    await _start_announcement(h, cadre)
    forwarded = {
        "text": "防汛提醒：注意安全",
        "entities": [{"type": "bold", "offset": 0, "length": 4}],
        "forward_origin": {
            "type": "hidden_user",
            "date": 1780000000,
            "sender_user_name": "县应急局",
        },
    }
    await h.settle(h.sb._post(cadre, cadre, forwarded, None))
    preview = h.last(cadre)
    assert "<b>防汛提醒</b>" in h.sb.calls_to("sendMessage")[-1].params["text"]
    await h.press(cadre, preview, buttons(preview)["✖ 取消"])
    assert "已取消" in h.last_text(cadre)
    # Text after cancelling is not taken as an announcement.
    before = len(h.bot_texts(cadre))
    await h.send(cadre, cadre, "随便说一句")
    assert len(h.bot_texts(cadre)) == before
    pressed = await h.press(cadre, preview, buttons(preview)["✅ 确认发送"])
    assert "已经取消" in h.answer(pressed)["text"]


async def test_announce_to_a_unit_without_groups_and_outside(h):
    cadre = await h.staff("V2C")
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    assert set(k for k in buttons(picker) if not k.startswith(("✅", "⬆"))) == {"三仙坳村第1网格"}
    label = next(k for k in buttons(picker) if k.startswith("✅"))
    pressed = await h.press(cadre, picker, buttons(picker)[label])
    assert "没有已绑定且在用的群" in h.answer(pressed)["text"]
    up = buttons(picker)["⬆ 上一级"]
    pressed = await h.press(cadre, picker, up)
    assert "不在您的管辖范围" in h.answer(pressed)["text"]


async def test_assessment_on_demand_and_monthly_once(h):
    cadre = await h.staff("V1C")
    town = await h.staff("C1")
    await h.send(cadre, cadre, "/assess")
    text = h.last_text(cadre)
    assert "大屯营村 网格员考核（2026-06）" in text and "张秀兰" in text
    assert "办理问题不足3件，不参与排名" in text
    await h.press(cadre, h.last(cadre), buttons(h.last(cadre))["上月"])
    assert "网格员考核（2026-05）" in h.last_text(cadre)
    # 1 July 09:10 in Shanghai: last month's assessment goes to L1/L2 cadres, once.
    h.clock.set(h.clock.now().replace(day=1, hour=1, minute=10) + timedelta(days=30))
    await h.run_job("assessment-monthly")
    assert "网格员考核（2026-06）" in h.last_text(town)
    assert "网格员考核（2026-06）" in h.last_text(cadre)
    count = len(h.sb.calls_to("sendMessage"))
    await h.restart()
    await h.run_job("assessment-monthly")
    assert len(h.sb.calls_to("sendMessage")) == count


async def test_export_in_chat(h):
    town = await h.staff("C1")
    await h.send(town, town, "/export")
    offer = h.last(town)
    await h.press(town, offer, buttons(offer)["Excel 表格（.xlsx）"])
    document = h.last(town)
    book = openpyxl.load_workbook(io.BytesIO(h.sb.document(document)))
    assert book.sheetnames[0] == "问题" and "人员" in book.sheetnames
    staff = [[c.value for c in r] for r in book["人员"].iter_rows()]
    assert ["C1", "刘建国", "13900000001", "镇干部", "T", "是", "是"] in staff
    await h.press(town, offer, buttons(offer)["CSV 文件（.zip）"])
    assert h.last(town)["document"]["file_name"].endswith(".zip")
