"""Every query path is indexed: each statement the walkthrough runs (reports filed, moved,
escalated and confirmed; visits, reminders, the pension visit, the questionnaire, field work,
digests, the board) is planned by SQLite without scanning a table that grows with use (the
county's statements are checked with its tests). A query added without its index fails
here, not at county scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo import run_demo
from bot.demo.stage import Stage, buttons
from tests.county_town import county_roster
from tests.e2e.county_steps import file_in, two_groups
from tests.e2e.plans import recorded, scans
from tests.e2e.reporting import ESCALATE, press_on


async def test_the_walkthrough_scans_no_growing_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    with recorded(monkeypatch) as statements:
        assert await run_demo(out) == 0
    capsys.readouterr()
    assert any(s.startswith("INSERT INTO reports") for s in statements), "reports were filed"
    found = scans(statements, out / "grid.sqlite3")
    assert not found, "\n".join(f"{table}: {statement}" for table, statement in found)


async def test_a_county_scans_no_growing_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The county's own paths: reports numbered per town, escalation to the town, the county
    cadre's digest, board, assessment, exports, /status, /tasks and an announcement."""
    with recorded(monkeypatch) as statements:
        k = await Stage(tmp_path, county_roster()).open()
        try:
            path = Path(k.db.path)
            w1, r1, g1, _, r5, g5 = await two_groups(k)
            await file_in(k, r1, g1, "路灯坏了")
            await file_in(k, r5, g5, "水管漏水")
            await press_on(k, w1, 1, ESCALATE)
            chief = await k.staff("K0", "县干部")
            for command in ("/digest", "/assess", "/tasks", "/status DTY-1", "/status 1"):
                await k.send(chief, chief, command)
            await k.send(chief, chief, "/board")
            towns = k.last(chief)
            await k.press(chief, towns, buttons(towns)["大屯营镇"])
            villages = k.sb.message(chief, towns["message_id"])
            await k.press(chief, villages, buttons(villages)["大屯营村"])
            await k.send(chief, chief, "/export")
            offer = k.last(chief)
            for choice in ("黄沙坪镇", "全县（每镇一个文件）"):
                await k.press(chief, offer, buttons(offer)[choice])
                formats = k.last(chief)
                await k.press(chief, formats, buttons(formats)["Excel 表格（.xlsx）"])
            await k.send(chief, chief, "/announce")
            picker = k.last(chief)
            whole = next(b for b in buttons(picker) if b.startswith("✅"))
            await k.press(chief, picker, buttons(picker)[whole])
            await k.send(chief, chief, "全县防汛通知。")
            preview = k.last(chief)
            await k.press(chief, preview, buttons(preview)["✅ 确认发送"])
            await k.sb.wait_for(lambda: any("全县防汛通知" in t for t in k.bot_texts(g5)))
        finally:
            await k.close()
    assert any("town_seq" in s for s in statements), "county reports were numbered"
    found = scans(statements, path)
    assert not found, "\n".join(f"{table}: {statement}" for table, statement in found)
