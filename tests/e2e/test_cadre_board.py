"""/board: a village's open reports, paginated; residents see no personal data."""

from __future__ import annotations

from bot.clock import to_ts
from tests.e2e.harness import buttons


async def _reports(h, micro_grid: str, count: int, reporter="王秀英") -> None:
    unit = await h.db.scalar("SELECT id FROM units WHERE code = ?", (micro_grid,))
    now = to_ts(h.clock.now())
    async with h.db.transaction():
        for n in range(count):
            await h.db.execute(
                "INSERT INTO reports (micro_grid_id, category, description, reporter_tg_id, "
                "reporter_name, source_chat_id, source_message_id, status, level, unit_id, "
                "created_at, updated_at) VALUES (?, 'infrastructure', ?, 7, ?, -5, ?, ?, 4, ?, "
                "?, ?)",
                (
                    unit,
                    f"秘密描述{n} 电话13812345678",
                    reporter,
                    unit * 1000 + n,
                    "accepted" if n % 2 else "new",
                    unit,
                    now - 86400 * n,
                    now,
                ),
            )


async def test_residents_see_their_villages_board_without_personal_data(h):
    worker = await h.staff("L4A")
    resident = h.user("王秀英")
    group = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    await _reports(h, "M1", 10)
    await _reports(h, "M4", 2)  # another village: never on this board
    await h.send(resident, group, "/board")
    first = h.last(group)
    text = first["text"]
    assert "大屯营村 问题清单 / 整改情况" in text and "未办结10件，第1/2页" in text
    assert "#10" in text and "四级网格员处理" in text and "9天" in text
    for secret in ("王秀英", "秘密描述", "1381234", "张秀兰"):
        assert secret not in text
    await h.press(resident, first, buttons(first)["下一页 ▶"])
    page2 = h.sb.message(group, first["message_id"])
    assert "第2/2页" in page2["text"] and "秘密描述" not in page2["text"]
    assert set(buttons(page2)) == {"◀ 上一页"}
    lines = [line for line in (text + page2["text"]).split("\n") if line.startswith("#")]
    assert len(lines) == 10  # M4's reports are in the other village


async def test_staff_see_details_and_choose_among_their_villages(h):
    cadre = await h.staff("V1C")
    town = await h.staff("C1")
    other = await h.staff("L4D")  # worker of M4, village V2
    await _reports(h, "M1", 3)
    await h.send(cadre, cadre, "/board")
    text = h.last_text(cadre)
    assert "秘密描述0" in text and "未办结3件，第1/1页" in text
    await h.send(town, town, "/board")
    choose = h.last(town)
    assert set(buttons(choose)) == {"大屯营村", "三仙坳村"}
    await h.press(town, choose, buttons(choose)["大屯营村"])
    assert "未办结3件" in h.sb.message(town, choose["message_id"])["text"]
    await h.send(other, other, "/board")
    text = h.last_text(other)
    assert "三仙坳村" in text and "未办结0件" in text


async def test_board_refusals(h):
    resident = h.user("李德福")
    await h.send(resident, resident, "/board")
    assert "联系群中使用 /board" in h.last_text(resident)
    stranger = h.user("张三")
    unbound = h.sb.add_group("未绑定的群", members=[stranger], bot_status="left")
    await h.settle(h.sb.add_bot_to_group(stranger, unbound))
    await h.send(stranger, unbound, "/board")
    assert "还没有绑定微网格" in h.last_text(unbound)
