"""Fixtures: a running sandbox, a PTB bot pointed at it, and a raw HTTP helper."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import telegram

from sandbox import Sandbox

TOKEN = "123456:TEST"
Api = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A started sandbox with default settings."""
    sandbox = Sandbox(token=TOKEN, bot_username="gridbot_bot", bot_name="网格助手")
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


@pytest.fixture
async def bot(sb: Sandbox) -> AsyncIterator[telegram.Bot]:
    """A PTB bot talking to the sandbox."""
    assert sb.base_url is not None
    async with telegram.Bot(TOKEN, base_url=sb.base_url, base_file_url=sb.base_file_url) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def api(sb: Sandbox, http: aiohttp.ClientSession) -> Api:
    """Call a Bot API method with a JSON body; return (HTTP status, body)."""

    async def call(method: str, token: str = TOKEN, **params: Any) -> tuple[int, dict[str, Any]]:
        url = f"{sb.url}/bot{token}/{method}"
        async with http.post(url, json=params) as response:
            return response.status, await response.json()

    return call
