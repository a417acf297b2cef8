from tests.e2e.harness import buttons


async def test_start_and_help(h):
    u = h.user("王秀英")
    await h.send(u, u, "/start")
    assert "网格助手" in h.last_text(u)
    await h.send(u, u, "/help")
    assert "/card" in h.last_text(u)


async def test_report_loop_smoke(h):
    await h.staff("C1")
    w = await h.staff("L4A")
    r = h.user("王秀英")
    g = await h.group("益家冲组联系群", [r, w], bind_code="M1", by=w)
    assert "益家冲组" in h.last_text(g), h.bot_texts(g)
    await h.send(r, g, "/report 路灯坏了")
    ask = h.last(g)
    assert "类别" in ask["text"], h.bot_texts(g)
    await h.press(r, ask, buttons(ask)["民生基础设施建设"])
    assert "#1" in h.last_text(g), h.bot_texts(g)
    card = h.last(w)
    assert "路灯坏了" in card["text"]
    await h.press(w, card, buttons(card)["✅ 受理"])
    assert "受理" in h.last_text(g)
    card = h.last(w)
    await h.press(w, card, buttons(card)["🛠 已解决"])
    q = h.last(w)
    await h.send(w, w, "换了新灯泡", reply_to=q["message_id"])
    notice = h.last(g)
    assert "换了新灯泡" in notice["text"], h.bot_texts(g)
    await h.press(r, notice, buttons(notice)["👍 确认解决"])
    assert "已办结" in h.last_text(g)
    report = await h.db.fetchone("SELECT status, solved_on_spot FROM reports WHERE id = 1")
    assert tuple(report) == ("closed", 1)
