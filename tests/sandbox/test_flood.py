"""Flood control: Telegram's limits, and PTB's AIORateLimiter staying within them."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot

from sandbox import Sandbox
from tests.sandbox.conftest import TOKEN, Api

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def freeze_clock(sb: Sandbox) -> list[float]:
    now = [1000.0]
    sb.flood.clock = lambda: now[0]
    return now


async def test_overall_limit(sb: Sandbox, bot: telegram.Bot) -> None:
    now = freeze_clock(sb)
    sb.flood.tolerance = 0
    user = sb.add_user("甲")
    sb.start_bot(user)
    for _ in range(30):
        await bot.send_message(user.id, "x")
    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "x")
    error = sb.errors()[-1]
    assert error.error_code == 429
    assert error.response["parameters"] == {"retry_after": 1}
    assert error.description == "Too Many Requests: retry after 1"
    assert len(sb.bot_messages(user)) == 30
    now[0] += 0.04
    await bot.send_message(user.id, "x")


async def test_default_tolerance_allows_a_few_late_tokens(sb: Sandbox, api: Api) -> None:
    freeze_clock(sb)
    user = sb.add_user("丁")
    sb.start_bot(user)
    statuses = [(await api("sendMessage", chat_id=user.id, text="x"))[0] for _ in range(47)]
    assert statuses == [200] * 45 + [429] * 2


async def test_group_limit(sb: Sandbox, api: Api) -> None:
    user = sb.add_user("乙")
    group = sb.add_group("群", members=[user])
    for _ in range(20):
        status, _ = await api("sendMessage", chat_id=group.id, text="x")
        assert status == 200
    status, body = await api("sendMessage", chat_id=group.id, text="x")
    assert status == 429
    assert body["parameters"]["retry_after"] == 3
    other = sb.add_group("另一个群", members=[user])
    status, _ = await api("sendMessage", chat_id=other.id, text="x")
    assert status == 200


async def test_real_time_burst_is_limited(sb: Sandbox, api: Api) -> None:
    users = [sb.add_user(f"u{i}") for i in range(100)]
    for user in users:
        sb.start_bot(user)
    results = await asyncio.gather(*(api("sendMessage", chat_id=u.id, text="x") for u in users))
    statuses = [status for status, _ in results]
    calls = sb.calls_to("sendMessage")
    elapsed = calls[-1].time - calls[0].time
    allowed = 30 + 30 * (elapsed + sb.flood.tolerance)
    assert statuses.count(429) >= 1
    assert statuses.count(200) <= allowed + 1
    retry_after = {body["parameters"]["retry_after"] for status, body in results if status == 429}
    assert retry_after == {1}


async def test_flood_limits_can_be_switched_off(sb: Sandbox, api: Api) -> None:
    sb.flood.enabled = False
    user = sb.add_user("丙")
    sb.start_bot(user)
    for _ in range(40):
        status, _ = await api("sendMessage", chat_id=user.id, text="x")
        assert status == 200


async def test_rate_limiter_gets_no_429(sb: Sandbox) -> None:
    users = [sb.add_user(f"居民{i}") for i in range(10)]
    for user in users:
        sb.start_bot(user)
    group = sb.add_group("大群", members=users[:3])
    bot = ExtBot(TOKEN, base_url=sb.base_url, rate_limiter=AIORateLimiter())
    async with bot:
        sends = [bot.send_message(users[i % 10].id, f"第{i}条") for i in range(90)]
        sends += [bot.send_message(group.id, f"群{i}") for i in range(12)]
        await asyncio.gather(*sends)
    assert [c for c in sb.errors() if c.error_code == 429] == []
    assert len(sb.calls_to("sendMessage")) == 102
