"""Fixtures for end-to-end tests: the real bot against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.demo.stage import Stage
from sandbox.state import Chat, User
from tests.county_town import county_roster
from tests.e2e.harness import Harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await Harness(tmp_path).open()
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def town(h: Harness) -> tuple[User, User, Chat]:
    """The worker of M1 (linked, started), a resident, and their bound group."""
    worker = await h.staff("L4A", "张秀兰")
    resident = h.user("王秀英")
    chat = await h.group("益家冲组联系群", [resident, worker], bind_code="M1", by=worker)
    return worker, resident, chat


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[Stage]:
    """A county of two towns (tests/county_town.py) on one deployment."""
    stage = await Stage(tmp_path, county_roster()).open()
    try:
        yield stage
    finally:
        await stage.close()
