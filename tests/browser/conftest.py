"""Browser tests: the playground page in headless Chromium (Playwright, the system Chromium).

A missing browser fails these tests with the command that installs it — never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.demo.stage import START
from bot.playground import Playground, WebServer
from services.sample_town import build_sample_town

INSTALL = "apt-get install -y chromium fonts-noto-color-emoji  (as root; or: make test)"
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    """The system Chromium, or a failure naming the command that installs it."""
    for candidate in (os.environ.get("GRIDBOT_CHROMIUM"), "chromium", "chromium-browser"):
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    pytest.fail(f"Chromium is not installed; run: {INSTALL}", pytrace=False)


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[tuple[Playground, str]]:
    """The sample town's playground (what `make demo` serves), on a free localhost port."""
    pg = await Playground(tmp_path / "pg", build_sample_town(), start=START).open()
    server = WebServer(pg)
    url = await server.start("127.0.0.1", 0)
    try:
        yield pg, url
    finally:
        await server.stop()
        await pg.close()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Chromium driven by Playwright."""
    executable = chromium_path()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("Playwright is missing; run: .venv/bin/pip install -e '.[dev]'", pytrace=False)
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=executable)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: GRIDBOT_SCREENSHOTS (to refresh docs/) or the test's folder."""
    folder = Path(os.environ.get("GRIDBOT_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
