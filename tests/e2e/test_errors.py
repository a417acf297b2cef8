"""An unexpected error: a short apology to the person, and a log line without their words."""

from __future__ import annotations

import logging

import pytest

from services.reports import views
from tests.e2e.harness import Harness


async def test_unexpected_error_is_answered_and_logged_without_content(
    h: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("storage fell over")

    monkeypatch.setattr(views, "view", broken)
    person = h.user("王秀英")
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await h.send(person, person, "/status 12 电话13800001111")
    assert "出了点问题" in h.last_text(person)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "error while handling update" in logged
    assert "13800001111" not in logged


async def test_a_huge_report_number_is_a_usage_error(h: Harness) -> None:
    person = h.user("王秀英")
    await h.send(person, person, "/status 99999999999999999999999")
    assert "用法" in h.last_text(person)
