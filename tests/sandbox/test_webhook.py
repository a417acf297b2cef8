"""The sandbox's webhook: updates posted in order with the secret token, kept until a 2xx
answer, posted again after a back-off, and reported by getWebhookInfo."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web
from telegram.error import BadRequest, Conflict

from sandbox import Sandbox
from sandbox.webhook import SECRET_HEADER


class Receiver:
    """A tiny webhook endpoint that answers with the next status of a script (then 200)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.got: list[tuple[dict[str, Any], str | None]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append((await request.json(), request.headers.get(SECRET_HEADER)))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self.url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    place = Receiver()
    await place.start()
    try:
        yield place
    finally:
        await place.stop()


async def test_updates_posted_in_order_with_the_secret(
    sb: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    person = sb.add_user("王秀英")
    first = sb.send_text(person, person, "一")
    await bot.set_webhook(receiver.url, secret_token="s3cret_-X", allowed_updates=["message"])
    second = sb.send_text(person, person, "二")
    await sb.wait_updates_consumed()
    assert [(u["update_id"], u["message"]["text"]) for u, _ in receiver.got] == [
        (first.update_id, "一"),
        (second.update_id, "二"),
    ]
    assert {secret for _, secret in receiver.got} == {"s3cret_-X"}
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.allowed_updates == ("message",) and info.max_connections == 40
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()


async def test_non_2xx_kept_and_posted_again(
    sb: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    receiver.statuses = [500, 403]
    await bot.set_webhook(receiver.url)
    person = sb.add_user("王秀英")
    sent = sb.send_text(person, person, "路灯坏了")
    await sb.wait_for(lambda: len(sb.pushes) >= 2)
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    await sb.wait_updates_consumed()
    assert [p.status for p in sb.pushes] == [500, 403, 200]
    assert [u["update_id"] for u, _ in receiver.got] == [sent.update_id] * 3
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_connection_refused_then_delivered_when_the_bot_is_back(
    sb: Sandbox, bot: telegram.Bot
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    late = Receiver()
    await bot.set_webhook(f"http://127.0.0.1:{port}/hook")
    person = sb.add_user("王秀英")
    sb.send_text(person, person, "有人吗")
    await sb.wait_for(lambda: len(sb.pushes) >= 2)
    assert {p.error for p in sb.pushes} == {"Connection refused"}
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1 and info.last_error_message == "Connection refused"
    await late.start(port)
    try:
        await sb.wait_updates_consumed()
        assert len(late.got) == 1
    finally:
        await late.stop()


async def test_only_loopback_addresses_are_posted_to(sb: Sandbox, bot: telegram.Bot) -> None:
    await bot.set_webhook("https://grid.example.org/hook")
    person = sb.add_user("王秀英")
    sb.send_text(person, person, "你好")
    await sb.wait_for(lambda: sb.pushes)
    assert sb.pushes[0].status is None and "only locally" in (sb.pushes[0].error or "")
    assert len(sb.pending_updates()) == 1


async def test_set_webhook_checks_its_parameters(sb: Sandbox, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Secret token contains unallowed characters"):
        await bot.set_webhook("https://example.org/hook", secret_token="no spaces")
    with pytest.raises(BadRequest, match="an https url must be provided"):
        await bot.set_webhook("example.org/hook")
    person = sb.add_user("王秀英")
    sb.send_text(person, person, "留着")
    # Pending updates survive set and delete unless asked to drop them.
    await bot.set_webhook("https://example.org/hook")
    await bot.delete_webhook()
    assert len(sb.pending_updates()) == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert sb.pending_updates() == []


async def test_lost_answers_are_posted_again(
    sb: Sandbox, bot: telegram.Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    sb.lose_webhook_answers(2, status=504)
    person = sb.add_user("王秀英")
    sb.send_text(person, person, "一次")
    await sb.wait_updates_consumed()
    assert [(p.status, p.answer_lost) for p in sb.pushes] == [
        (504, True),
        (504, True),
        (200, False),
    ]
    assert len(receiver.got) == 3
    assert sb.world.webhook_answers_lost is None
