"""The log tells the town's work with ids: reports filed and moved, never what people typed."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.harness import Harness
from tests.e2e.reporting import ACCEPT, file_report, press_on


async def test_report_lines_carry_ids_not_personal_data(
    h: Harness, town, caplog: pytest.LogCaptureFixture
) -> None:
    worker, resident, chat = town
    caplog.set_level(logging.INFO)
    number = await file_report(h, resident, chat, "我家电话13912345678，路灯坏了")
    await press_on(h, worker, number, ACCEPT)
    lines = [r.getMessage() for r in caplog.records]
    assert (
        f"report #{number} filed: category infrastructure, micro-grid M1, to level 4 "
        "(1 staff linked)" in lines
    )
    assert f"report #{number} accept: new -> accepted at level 4 by staff L4A" in lines
    text = "\n".join(lines)
    for personal in ("13912345678", "路灯", resident.first_name, worker.first_name):
        assert personal not in text
