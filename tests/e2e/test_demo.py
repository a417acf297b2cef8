"""`make demo`: the scripted walkthrough plays every scene against the sandbox, and what it
shows happens (the field-work scene included: a problem recorded by voice on a visit, the
questionnaire entered for the household, the call-back, the digest's count)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo import SCENES, run_demo
from bot.storage.db import Database


async def test_the_walkthrough_plays_every_scene(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert await run_demo(out) == 0
    capsys.readouterr()
    text = (out / "transcript.txt").read_text(encoding="utf-8")
    assert text.count("=== ") == len(SCENES)
    assert (out / "weekly-digest-chart.png").stat().st_size > 1000
    db = await Database.open(out / "grid.sqlite3")
    try:
        report = await db.fetchone(
            "SELECT r.id, r.status, r.collected_on, r.reporter_tg_id, a.kind "
            "FROM reports r JOIN report_attachments a ON a.report_id = r.id "
            "WHERE r.recorded_by_staff_id IS NOT NULL"
        )
        assert report is not None
        assert (report["status"], report["collected_on"], report["kind"]) == (
            "closed",
            "visit",
            "voice",
        )
        assert report["reporter_tg_id"] == 0  # the household has no phone
        rating = await db.fetchone(
            "SELECT * FROM report_ratings WHERE report_id = ?", (report["id"],)
        )
        assert rating is not None and rating["rating"] == "satisfied"
        entered = await db.scalar(
            "SELECT COUNT(*) FROM survey_responses WHERE entered_by_staff_id IS NOT NULL"
        )
        assert entered == 1
    finally:
        await db.close()
    number = f"#{report['id']}"
    assert "已由网格员代为登记" in text and f"代报问题 {number} 已由" in text
    assert f"已代群众记录问题 {number} 的回访：满意" in text
    assert "（其中走访收集1个）" in text
