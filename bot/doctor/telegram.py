"""Checks that ask Telegram: the token, the bot's settings, and its place in every group."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass

from telegram import ChatMemberAdministrator, ChatMemberOwner, ChatMemberRestricted
from telegram.error import ChatMigrated, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, ExtBot

from bot.config import Config
from bot.doctor.findings import Advice, Finding, Verdict
from bot.storage.doctor import BoundGroup

# Groups looked at concurrently; the rate limiter keeps the calls within Telegram's limits.
PARALLEL = 8
PROGRESS_EVERY = 50
Progress = Callable[[int, int], None]


def doctor_bot(config: Config) -> ExtBot[None]:
    """A bot for the checks, through the same rate limiter the running bot uses."""
    tg = config.telegram
    limiter: AIORateLimiter | None = None
    if tg.rate_limit.enabled:
        limiter = AIORateLimiter(
            overall_max_rate=tg.rate_limit.overall_per_second,
            group_max_rate=tg.rate_limit.group_per_minute,
            max_retries=tg.rate_limit.max_retries,
        )
    bot: ExtBot[None] = ExtBot(
        config.token(),
        base_url=tg.api_base_url,
        rate_limiter=limiter,  # type: ignore[arg-type]
    )
    return bot


async def identity_findings(
    bot: ExtBot[None], config: Config, say: Advice, webhook_url: str | None = None
) -> list[Finding]:
    """The token works; the username matches; privacy; the webhook as the mode expects
    (none while polling; `webhook_url` in webhook mode)."""
    me = await bot.get_me()
    found = [say(Verdict.OK, "token_ok", username=me.username)]
    configured = config.bot.username
    if configured and configured.lower() != (me.username or "").lower():
        found.append(
            say(Verdict.FAIL, "username_mismatch", configured=configured, actual=me.username)
        )
    elif not configured:
        found.append(say(Verdict.OK, "username_unset"))
    if me.can_read_all_group_messages:
        found.append(say(Verdict.WARN, "privacy_off", username=me.username))
    else:
        found.append(say(Verdict.OK, "privacy_ok"))
    info = await bot.get_webhook_info()
    api = config.telegram.api_base_url
    if webhook_url is None and info.url:
        found.append(say(Verdict.FAIL, "webhook_set", url=info.url, api=api))
    elif webhook_url is None:
        found.append(say(Verdict.OK, "webhook_none"))
    elif not info.url:
        found.append(say(Verdict.WARN, "webhook_missing", expected=webhook_url))
    elif info.url != webhook_url:
        found.append(say(Verdict.FAIL, "webhook_other", url=info.url, expected=webhook_url))
    else:
        found.append(say(Verdict.OK, "webhook_ok", url=info.url))
    if info.last_error_message:
        found.append(say(Verdict.WARN, "webhook_error", error=info.last_error_message))
    return found


@dataclass(frozen=True)
class GroupState:
    """What Telegram says about the bot in one bound group."""

    group: BoundGroup
    problem: str  # "", "removed", "no_pin", "migrated", "unknown"
    detail: str = ""


async def group_state(bot: ExtBot[None], group: BoundGroup) -> GroupState:
    """Whether the bot is still in the group and may pin there."""
    try:
        member = await bot.get_chat_member(group.chat_id, bot.id)
        if member.status in ("left", "kicked"):
            return GroupState(group, "removed")
        if isinstance(member, ChatMemberOwner):
            return GroupState(group, "")
        if isinstance(member, ChatMemberAdministrator) and member.can_pin_messages:
            return GroupState(group, "")
        if isinstance(member, ChatMemberRestricted):
            return GroupState(group, "" if member.can_pin_messages else "no_pin")
        # A plain member (or an administrator without the right) pins when members may.
        chat = await bot.get_chat(group.chat_id)
        allowed = chat.permissions is not None and chat.permissions.can_pin_messages
        return GroupState(group, "" if allowed else "no_pin")
    except ChatMigrated as exc:
        return GroupState(group, "migrated", str(exc.new_chat_id))
    except Forbidden:
        return GroupState(group, "removed")
    except TelegramError as exc:
        if "chat not found" in exc.message.lower():
            return GroupState(group, "removed")
        return GroupState(group, "unknown", exc.message)


async def group_states(
    bot: ExtBot[None], groups: list[BoundGroup], progress: Progress
) -> list[GroupState]:
    """Every bound group's state, a few at a time, reporting progress as it goes."""
    gate = asyncio.Semaphore(PARALLEL)
    done = 0

    async def one(group: BoundGroup) -> GroupState:
        nonlocal done
        async with gate:
            state = await group_state(bot, group)
        done += 1
        if done % PROGRESS_EVERY == 0 or done == len(groups):
            progress(done, len(groups))
        return state

    return list(await asyncio.gather(*(one(g) for g in groups)))


def group_findings(states: list[GroupState], say: Advice) -> list[Finding]:
    """One finding per kind of problem, each listing its groups."""
    if not states:
        return [say(Verdict.OK, "groups_none")]
    found = []
    for problem in ("removed", "migrated", "no_pin", "unknown"):
        hit = [s for s in states if s.problem == problem]
        if not hit:
            continue
        lines = [
            say.line(
                "group_line_error" if s.detail else "group_line",
                code=s.group.code,
                name=s.group.name,
                chat=s.group.chat_id,
                error=s.detail,
            )
            for s in hit
        ]
        found.append(
            say(Verdict.WARN, f"group_{problem}", details=say.listing(lines), count=len(hit))
        )
    if not found:
        found.append(say(Verdict.OK, "groups_ok", count=len(states)))
    return found


def print_progress(say: Advice) -> Progress:
    """Progress lines on stderr (stdout keeps the report)."""

    def show(done: int, total: int) -> None:
        print(say.line("groups_progress", done=done, total=total), file=sys.stderr, flush=True)

    return show


async def telegram_findings(
    config: Config,
    groups: list[BoundGroup],
    say: Advice,
    progress: Progress | None = None,
    webhook_url: str | None = None,
) -> list[Finding]:
    """Every check that asks Telegram, or why they could not run."""
    if not config.token():
        return [say(Verdict.FAIL, "token_missing")]
    bot = doctor_bot(config)
    try:
        await bot.initialize()
    except InvalidToken:
        # Never the library's message: it repeats the token.
        return [say(Verdict.FAIL, "token_bad")]
    except NetworkError as exc:
        return [say(Verdict.FAIL, "api_unreachable", url=config.telegram.api_base_url, error=exc)]
    try:
        found = await identity_findings(bot, config, say, webhook_url)
        states = await group_states(bot, groups, progress or print_progress(say))
        found += group_findings(states, say)
    finally:
        await bot.shutdown()
    return found
