"""The command line's tasks that touch the database: roster import, invitations, backup."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Config
from bot.storage.db import Database
from bot.storage.roster import apply_roster
from models.errors import Refusal
from services.roster import RosterErrors, read_roster
from services.sheets import Sheet

log = logging.getLogger(__name__)


async def import_roster(config: Config, path: Path) -> int:
    """Validate and import a roster; every bad row is printed and nothing is imported."""
    roster = read_roster(path)
    if isinstance(roster, RosterErrors):
        print(f"roster rejected, nothing imported ({len(roster)} problems):", file=sys.stderr)
        print(roster.render(), file=sys.stderr)
        return 1
    db = await Database.open(config.database.path)
    try:
        summary = await apply_roster(db, roster, SystemClock().now(), actor="cli", source=str(path))
    finally:
        await db.close()
    print(summary.render())
    return 0


def sample_roster(out: Path, template: bool, towns: int = 1, county: bool = False) -> int:
    """Write the sample town, or `towns` of them under a county (or the empty template), as
    XLSX or a CSV folder."""
    from services.sample_town import build_sample_county, write_roster, write_template

    if towns < 1:
        print("error: --towns must be at least 1", file=sys.stderr)
        return 2
    roster = build_sample_county(towns, county=county or None)
    written = write_template(out) if template else write_roster(roster, out)
    print(f"written: {written}")
    return 0


async def invite(config: Config, staff_code: str, bot_username: str | None) -> int:
    """Print a one-time invitation link for a staff member."""
    from services.onboarding import create_invitation

    username = bot_username or config.bot.username or await _ask_username(config)
    if not username:
        print(
            "error: the bot's username is unknown; pass --bot-username or set [bot] username",
            file=sys.stderr,
        )
        return 2
    db = await Database.open(config.database.path)
    try:
        made = await create_invitation(
            db, SystemClock(), config.invitations.valid_for, staff_code, by=None
        )
    except Refusal as refusal:
        print(
            f"error: {refusal.key.split('.')[-1].replace('_', ' ')}: {staff_code}", file=sys.stderr
        )
        return 1
    finally:
        await db.close()
    local = made.expires_at.astimezone(config.tz).strftime("%Y-%m-%d %H:%M")
    print(f"{made.staff.name} ({made.staff.code}), valid until {local}:")
    print(made.link(username))
    return 0


async def _ask_username(config: Config) -> str:
    if not config.token():
        return ""
    from telegram import Bot

    async with Bot(config.token(), base_url=config.telegram.api_base_url) as bot:
        return bot.username


async def check_token(config: Config) -> bool:
    """Whether Telegram accepts the bot token (True when it cannot be asked right now: the
    bot's own start-up then deals with the network)."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError

    try:
        async with Bot(config.token(), base_url=config.telegram.api_base_url):
            return True
    except InvalidToken:
        return False
    except NetworkError as exc:
        log.warning("could not ask Telegram about the token yet: %s", exc)
        return True


async def backup(config: Config, dest: Path) -> int:
    """Copy the live database with SQLite's online backup (a file only its owner can read)."""
    if not Path(config.database.path).exists():  # noqa: ASYNC240 - before anything runs
        print(f"error: no database at {config.database.path}", file=sys.stderr)
        return 1
    db = await Database.open(config.database.path)
    try:
        await db.backup(dest)
    finally:
        await db.close()
    print(f"backup written: {dest}")
    return 0


async def _export_sheets(config: Config, language: str | None) -> list[Sheet]:
    from bot.texts import Texts
    from services.export import export_all

    db = await Database.open(config.database.path)
    try:
        return await export_all(db, config, Texts().lang(language or config.bot.language))
    finally:
        await db.close()


def export(config: Config, out: Path, language: str | None) -> int:
    """Write every record (with personal data, as the town office) to XLSX or CSV files."""
    import asyncio

    from bot.private_files import write_private
    from services.sheets import write_csv_dir, write_xlsx

    if not Path(config.database.path).exists():
        print(f"error: no database at {config.database.path}", file=sys.stderr)
        return 1
    sheets = asyncio.run(_export_sheets(config, language))
    if out.suffix.lower() == ".xlsx":
        write_private(out, write_xlsx(sheets, config.tz))
        print(f"written: {out} ({len(sheets)} sheets, {sum(len(s.rows) for s in sheets)} rows)")
    else:
        for path in write_csv_dir(sheets, config.tz, out):
            print(f"written: {path}")
    return 0
