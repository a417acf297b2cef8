"""The Bot API transport against a small real HTTP server: what goes on the wire, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import BodyPartReader, web
from aiohttp.test_utils import TestServer
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.api_transport import AiohttpRequest
from tests.ports import free_port

TOKEN = "123:TEST"


class FakeApi:
    """Records each request and answers like the Bot API; a stall blocks the answer."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.stall = asyncio.Event()
        self.release = asyncio.Event()
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        seen: dict[str, Any] = {
            "method": method,
            "content_type": request.content_type,
            "agent": request.headers.get("User-Agent", ""),
            "fields": {},
            "files": {},
        }
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                assert isinstance(part, BodyPartReader)
                if part.filename is not None:
                    seen["files"][part.name] = (part.filename, bytes(await part.read()))
                else:
                    seen["fields"][part.name] = await part.text()
        else:
            seen["fields"] = dict(await request.post())
        self.seen.append(seen)
        if self.stall.is_set():
            await self.release.wait()
        await asyncio.sleep(self.delay)  # the server taking its time to answer
        if method == "sendMessage" and seen["fields"].get("text") == "refuse":
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: no"}, status=400
            )
        message = {"message_id": 7, "date": 0, "chat": {"id": 5, "type": "private"}}
        if method == "getMe":
            result: Any = {"id": 123, "is_bot": True, "first_name": "b", "username": "b_bot"}
        elif method == "sendDocument":
            result = {**message, "document": {"file_id": "f", "file_unique_id": "u"}}
        else:
            result = {**message, "text": seen["fields"].get("text", "")}
        return web.json_response({"ok": True, "result": result})


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeApi, str]]:
    fake = FakeApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    try:
        yield fake, f"http://127.0.0.1:{server.port}/bot"
    finally:
        fake.release.set()
        await server.close()


async def test_parameters_are_form_encoded_as_ptb_encodes_them(api: tuple[FakeApi, str]) -> None:
    fake, base_url = api
    async with Bot(TOKEN, base_url=base_url, request=AiohttpRequest()) as bot:
        buttons = InlineKeyboardMarkup([[InlineKeyboardButton("是", callback_data="y:1")]])
        sent = await bot.send_message(5, "路灯 <b>坏了</b>", reply_markup=buttons)
    assert sent.message_id == 7 and sent.text == "路灯 <b>坏了</b>"
    call = fake.seen[-1]
    assert call["method"] == "sendMessage"
    assert call["content_type"] == "application/x-www-form-urlencoded"
    assert call["agent"].startswith("python-telegram-bot")
    assert call["fields"]["chat_id"] == "5"
    assert call["fields"]["text"] == "路灯 <b>坏了</b>"
    markup = json.loads(call["fields"]["reply_markup"])
    assert markup["inline_keyboard"][0][0] == {"text": "是", "callback_data": "y:1"}


async def test_a_file_goes_as_multipart_with_its_fields(api: tuple[FakeApi, str]) -> None:
    fake, base_url = api
    async with Bot(TOKEN, base_url=base_url, request=AiohttpRequest()) as bot:
        await bot.send_document(
            5, InputFile(b"PK\x03\x04data", filename="export.xlsx"), caption="导出"
        )
    call = fake.seen[-1]
    assert call["method"] == "sendDocument"
    assert call["content_type"] == "multipart/form-data"
    assert call["fields"]["caption"] == "导出"
    assert call["fields"]["chat_id"] == "5"
    [(filename, content)] = call["files"].values()
    assert filename == "export.xlsx" and content == b"PK\x03\x04data"


async def test_an_error_answer_is_ptbs_error(api: tuple[FakeApi, str]) -> None:
    _, base_url = api
    async with Bot(TOKEN, base_url=base_url, request=AiohttpRequest()) as bot:
        with pytest.raises(BadRequest, match="No"):
            await bot.send_message(5, "refuse")


async def test_a_slow_answer_is_timed_out(api: tuple[FakeApi, str]) -> None:
    fake, base_url = api
    request = AiohttpRequest(read_timeout=5.0)
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        fake.stall.set()
        with pytest.raises(TimedOut):
            await bot.send_message(5, "hello", read_timeout=0.05)


async def test_an_upload_is_given_its_write_timeout(api: tuple[FakeApi, str]) -> None:
    fake, base_url = api
    async with Bot(TOKEN, base_url=base_url, request=AiohttpRequest(read_timeout=0.05)) as bot:
        fake.delay = 0.2
        upload = InputFile(b"data", filename="a.xlsx")
        await bot.send_document(5, upload, write_timeout=2.0)
        with pytest.raises(TimedOut):
            await bot.send_document(5, upload, write_timeout=0.05)
        with pytest.raises(TimedOut):
            await bot.send_message(5, "no file: the read timeout alone")


async def test_no_server_is_a_network_error() -> None:
    request = AiohttpRequest()
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{free_port()}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(5, "hello")
        assert not isinstance(caught.value, TimedOut)
    finally:
        await request.shutdown()


async def test_the_environments_proxy_is_used(
    api: tuple[FakeApi, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base_url = api
    for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    proxy = base_url.removesuffix("/bot")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    # The proxy (here the fake API itself) is asked for a server that does not exist.
    async with Bot(TOKEN, base_url="http://api.invalid/bot", request=AiohttpRequest()) as bot:
        await bot.send_message(5, "through the proxy")
    assert fake.seen[-1]["fields"]["text"] == "through the proxy"


async def test_a_request_before_initialize_is_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/x", "POST")
    assert request.read_timeout == 5.0
