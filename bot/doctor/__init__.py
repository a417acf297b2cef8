"""`gridbot doctor`: a preflight that checks the set-up and says how to fix what is wrong.

Checks, in order: the configuration; the database (opens, integrity, schema, WAL); the town's
files; the chart font; the token and the bot's identity, privacy and webhook; every bound
group (still a member, may pin); staff and micro-grids not yet set up, per village.
Failures block running (exit status 1); warnings do not.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from bot.doctor.findings import Advice, Finding, Verdict
from bot.doctor.local import local_findings
from bot.doctor.telegram import Progress, telegram_findings
from bot.storage.doctor import BoundGroup, Coverage, bound_groups, coverage, read_only
from bot.texts import Texts
from bot.webhook import webhook_settings

__all__ = ["Finding", "Verdict", "diagnose", "run_doctor"]


def _roster_state(config: Config) -> tuple[list[BoundGroup], list[Coverage]] | None:
    path = Path(config.database.path)
    if not path.exists():
        return None
    try:
        with read_only(path) as conn:
            return bound_groups(conn), coverage(conn)
    except sqlite3.Error:
        return None


def coverage_findings(rows: list[Coverage], say: Advice) -> list[Finding]:
    """Staff who never linked an account and micro-grids never bound, per village."""
    if not rows:
        return [say(Verdict.OK, "coverage_ok")]
    lines = [
        say.line(
            "coverage_line",
            code=row.code,
            name=row.name,
            staff=row.unlinked_staff,
            micro_grids=row.unbound_micro_grids,
        )
        for row in rows
    ]
    return [say(Verdict.WARN, "coverage_head", details=tuple(lines), fix="coverage_fix")]


async def diagnose(
    config_path: Path,
    language: str | None,
    progress: Progress | None = None,
    webhook_url: str | None = None,
    webhook: bool = False,
) -> tuple[Advice, list[Finding]]:
    """Run every check; returns the texts used and the findings in order. `webhook_url`:
    the address Telegram should post to (webhook mode); None when the bot polls. `webhook`:
    check the configuration's webhook settings and take the address from them."""
    texts = Texts()
    try:
        config = await asyncio.to_thread(load_config, config_path)
    except ConfigError as exc:
        say = Advice(texts.lang(language or "zh"), {"config": config_path, "path": config_path})
        return say, [
            say(Verdict.FAIL, "config_bad", error=exc),
            say(Verdict.WARN, "telegram_skipped"),
        ]
    say = Advice(texts.lang(language or config.bot.language), {"config": config_path})
    found = [say(Verdict.OK, "config_ok", path=config_path)]
    if webhook:
        try:
            webhook_url, _secret = webhook_settings(config)
        except ConfigError as exc:
            found.append(say(Verdict.FAIL, "webhook_config_bad", error=exc))
            webhook_url = config.telegram.webhook.address()
        else:
            found.append(say(Verdict.OK, "webhook_config_ok", url=webhook_url))
    found += await asyncio.to_thread(local_findings, config, say)
    state = await asyncio.to_thread(_roster_state, config)
    groups, units = state if state is not None else ([], [])
    found += await telegram_findings(config, groups, say, progress, webhook_url)
    if state is not None:
        found += coverage_findings(units, say)
    return say, found


async def run_doctor(
    config_path: Path,
    language: str | None,
    out: Callable[[str], None] = print,
    webhook: bool = False,
) -> int:
    """Print the preflight report; exit status 1 when something blocks running. `webhook`:
    for `gridbot run --webhook` (the webhook settings, and Telegram's webhook pointing here)."""
    say, found = await diagnose(config_path, language, webhook=webhook)
    out(say.line("title", config=config_path))
    for finding in found:
        for line in finding.render():
            out(line)
    failures = sum(f.verdict is Verdict.FAIL for f in found)
    warnings = sum(f.verdict is Verdict.WARN for f in found)
    key = "summary_fail" if failures else "summary_ok"
    out(say.line(key, failures=failures, warnings=warnings))
    return 1 if failures else 0
