"""A county of two towns on one deployment: county cadres, report numbers per town."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.demo.stage import Stage
from sandbox.state import Chat, User
from tests.county_town import county_roster
from tests.e2e.harness import buttons
from tests.e2e.reporting import ACCEPT, ESCALATE, INFRA, card_of, press_on


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[Stage]:
    stage = await Stage(tmp_path, county_roster()).open()
    try:
        yield stage
    finally:
        await stage.close()


async def _file(k: Stage, resident: User, chat: Chat, text: str) -> int:
    """File a report; returns its id."""
    await k.send(resident, chat, f"/report {text}")
    ask = k.last(chat)
    await k.press(resident, ask, buttons(ask)[INFRA])
    report_id = await k.db.scalar("SELECT MAX(id) FROM reports")
    assert report_id is not None
    return int(report_id)


async def _two_groups(k: Stage) -> tuple[User, User, Chat, User, User, Chat]:
    w1, r1 = await k.staff("L4A", "张秀兰"), k.user("王秀英")
    g1 = await k.group("益家冲组联系群", [r1, w1], bind_code="M1", by=w1)
    w5, r5 = await k.staff("L4E", "钱勇"), k.user("赵大妈")
    g5 = await k.group("黄沙组联系群", [r5, w5], bind_code="M5", by=w5)
    return w1, r1, g1, w5, r5, g5


async def test_county_cadre_links_and_invites_town_cadres(county: Stage) -> None:
    k = county
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/help")
    assert "县级干部" in k.last_text(chief)
    await k.send(chief, chief, "/invite C2")
    link = k.last_text(chief)
    token = link.split("start=")[1].split()[0].strip("\"'<>")
    cadre = k.user("孙丽")
    k.sb.start_bot(cadre)
    await k.send(cadre, cadre, f"/start {token}")
    assert "孙丽" in k.last_text(cadre)
    assert await k.db.scalar("SELECT tg_user_id FROM staff WHERE code = 'C2'") == cadre.id
    # A town cadre invites in their own town only.
    await k.send(cadre, cadre, "/invite L4A")
    assert "start=" not in k.last_text(cadre)
    await k.send(cadre, cadre, "/invite L4E")
    assert "start=" in k.last_text(cadre)


async def test_numbers_count_per_town_and_status_takes_both_forms(county: Stage) -> None:
    k = county
    _, r1, g1, _, r5, g5 = await _two_groups(k)
    first = await _file(k, r1, g1, "路灯坏了")
    assert "#1" in k.last_text(g1)
    other = await _file(k, r5, g5, "水管漏水")
    assert "#1" in k.last_text(g5) and first != other
    rows = await k.db.fetchall("SELECT id, town_seq FROM reports ORDER BY id")
    assert [tuple(r) for r in rows] == [(first, 1), (other, 1)]
    again = await _file(k, r1, g1, "又坏了一盏")
    assert "#2" in k.last_text(g1)
    assert await k.db.scalar("SELECT town_seq FROM reports WHERE id = ?", (again,)) == 2
    # In a town's group, /status 1 is that town's report 1.
    await k.send(r5, g5, "/status 1")
    assert "水管漏水" in k.last_text(g5) and "路灯" not in k.last_text(g5)
    await k.send(r1, g1, "/status #1")
    assert "路灯坏了" in k.last_text(g1)
    # A town cadre: their own town's number; another town's report is unknown.
    cadre = await k.staff("C1", "刘建国")
    await k.send(cadre, cadre, "/status 1")
    assert "路灯坏了" in k.last_text(cadre) and "#1" in k.last_text(cadre)
    await k.send(cadre, cadre, "/status HSP-1")
    assert "找不到问题 HSP-1" in k.last_text(cadre)
    # The county cadre: 1 is in both towns, so the prefix is asked for; with it, either.
    chief = await k.staff("K0", "县干部")
    await k.send(chief, chief, "/status 1")
    assert "多个镇都有问题 #1" in k.last_text(chief) and "DTY-1" in k.last_text(chief)
    await k.send(chief, chief, "/status hsp-1")
    assert "水管漏水" in k.last_text(chief) and "HSP-1" in k.last_text(chief)
    await k.send(chief, chief, "/status 2")
    assert "又坏了一盏" in k.last_text(chief) and "DTY-2" in k.last_text(chief)


async def test_escalation_stops_at_the_town_and_the_county_cadre_sees_it(county: Stage) -> None:
    k = county
    w1, r1, g1, *_ = await _two_groups(k)
    town = await k.staff("C1", "刘建国")
    chief = await k.staff("K0", "县干部")
    report_id = await _file(k, r1, g1, "桥面塌了")
    await press_on(k, w1, 1, ESCALATE)
    # Nobody is linked in the grid or the village: it goes to the town cadre.
    card = card_of(k, town, 1)
    assert ESCALATE not in buttons(card), "escalation stops at the town"
    assert not [t for t in k.bot_texts(chief) if "桥面塌了" in t], "the county is not told"
    row = await k.db.fetchone("SELECT level, status FROM reports WHERE id = ?", (report_id,))
    assert tuple(row) == (1, "new")
    await press_on(k, town, 1, ACCEPT)
    await k.send(chief, chief, "/status DTY-1")
    seen = k.last_text(chief)
    assert "桥面塌了" in seen and "DTY-1" in seen and "刘建国" in seen
