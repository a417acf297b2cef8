"""Captions and messages near Telegram's limits, counted in UTF-16 units as Telegram does:
emoji and rare characters (😀, 𠀀) take two units each."""

from __future__ import annotations

from models.text_limits import MAX_CAPTION, utf16_len
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import INFRA, card_of


async def test_a_photo_report_card_fits_the_caption_limit(h: Harness) -> None:
    worker = await h.staff("L4A", "张秀兰")
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await h.settle(h.sb.send_photo(resident, chat, caption="/report " + "😀𠀀" * 250))
    ask = h.last(chat)
    await h.press(resident, ask, buttons(ask)[INFRA])
    assert h.sb.errors() == []
    card = card_of(h, worker, 1)
    assert "photo" in card and utf16_len(card["caption"]) <= MAX_CAPTION
    assert card["caption"].endswith("…")
    assert await h.db.scalar("SELECT description FROM reports") == "😀𠀀" * 250


async def test_an_announcement_caption_is_measured_like_telegram(h: Harness) -> None:
    cadre = await h.staff("V1C")
    worker = await h.staff("L4A")
    group = await h.group("益家冲组联系群", [h.user("王秀英"), worker], bind_code="M1", by=worker)
    await h.send(cadre, cadre, "/announce")
    picker = h.last(cadre)
    label = next(k for k in buttons(picker) if k.startswith("✅") and "大屯营村" in k)
    await h.press(cadre, picker, buttons(picker)[label])
    await h.settle(h.sb.send_photo(cadre, cadre, caption="😀" * 500))  # 1000 units
    assert "通知太长了（1000字）" in h.last_text(cadre)
    await h.settle(h.sb.send_photo(cadre, cadre, caption="😀" * 450))
    preview = h.last(cadre)
    assert "photo" in preview and preview["caption"].endswith("😀" * 450)
    await h.press(cadre, preview, buttons(preview)["✅ 确认发送"])
    await h.sb.wait_for(lambda: "通知发送完成" in h.last_text(cadre))
    assert h.last(group)["caption"].endswith("😀" * 450)
    assert h.sb.errors() == []
