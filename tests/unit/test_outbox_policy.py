"""The outbox's retry policy and the classification of Bot API errors, without Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.attempts import fault_of
from models.outbox import Fault, Policy, Verdict, backoff, decide, expired

T0 = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
POLICY = Policy(
    max_attempts=4,
    give_up_after=timedelta(hours=1),
    first_delay=timedelta(seconds=5),
    max_delay=timedelta(seconds=60),
)


def test_backoff_doubles_from_the_first_delay_up_to_the_cap() -> None:
    waits = [backoff(POLICY, n).total_seconds() for n in range(1, 7)]
    assert waits == [5, 10, 20, 40, 60, 60]


@pytest.mark.parametrize("fault", [Fault.NETWORK, Fault.TIMEOUT, Fault.OTHER])
def test_passing_faults_are_retried_with_backoff_until_max_attempts(fault: Fault) -> None:
    now = T0 + timedelta(seconds=30)
    first = decide(POLICY, fault, 1, T0, now)
    assert first.verdict is Verdict.RETRY and first.at == now + timedelta(seconds=5)
    third = decide(POLICY, fault, 3, T0, now, detail="Bad Gateway")
    assert third.verdict is Verdict.RETRY and third.at == now + timedelta(seconds=20)
    assert "Bad Gateway" in third.reason
    last = decide(POLICY, fault, 4, T0, now)
    assert last.verdict is Verdict.GIVE_UP and not last.fallback
    assert "after 4 attempts" in last.reason


def test_a_flood_wait_honours_retry_after_and_does_not_count_as_an_attempt() -> None:
    decision = decide(POLICY, Fault.FLOOD, 50, T0, T0, retry_after=17)
    assert decision.verdict is Verdict.RETRY and decision.at == T0 + timedelta(seconds=17)


def test_nothing_is_retried_past_give_up_after() -> None:
    late = T0 + timedelta(minutes=59, seconds=58)
    assert decide(POLICY, Fault.NETWORK, 1, T0, late).verdict is Verdict.GIVE_UP
    flood = decide(POLICY, Fault.FLOOD, 1, T0, late, retry_after=30)
    assert flood.verdict is Verdict.GIVE_UP and "too old" in flood.reason
    assert not expired(POLICY, T0, T0 + timedelta(hours=1))
    assert expired(POLICY, T0, T0 + timedelta(hours=1, seconds=1))


def test_forbidden_gives_up_at_once_and_takes_the_fallback() -> None:
    decision = decide(POLICY, Fault.FORBIDDEN, 1, T0, T0, detail="bot was blocked by the user")
    assert decision.verdict is Verdict.GIVE_UP and decision.fallback
    assert decision.reason == "forbidden: bot was blocked by the user"


def test_a_bad_request_gives_up_at_once_without_fallback() -> None:
    decision = decide(POLICY, Fault.BAD_REQUEST, 1, T0, T0, detail="chat not found")
    assert decision.verdict is Verdict.GIVE_UP and not decision.fallback
    assert "chat not found" in decision.reason


def test_a_migrated_group_is_sent_to_at_once() -> None:
    decision = decide(POLICY, Fault.MIGRATED, 1, T0, T0)
    assert decision.verdict is Verdict.REDIRECT and decision.at == T0


def test_telegram_errors_are_classified() -> None:
    flood = fault_of(RetryAfter(12))
    assert flood.fault is Fault.FLOOD and flood.retry_after == 12
    moved = fault_of(ChatMigrated(-1001))
    assert moved.fault is Fault.MIGRATED and moved.new_chat_id == -1001
    assert fault_of(TimedOut()).fault is Fault.TIMEOUT
    assert fault_of(NetworkError("Internal Server Error")).fault is Fault.NETWORK
    assert fault_of(Forbidden("Forbidden: bot was blocked")).fault is Fault.FORBIDDEN
    assert fault_of(BadRequest("Bad Request: chat not found")).fault is Fault.BAD_REQUEST
    assert fault_of(RuntimeError("boom")).fault is Fault.OTHER
    assert not fault_of(TimedOut()).ok
