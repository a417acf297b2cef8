"""Command line: `python -m bot <command>` (also installed as `gridbot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.config import TOKEN_ENV, ConfigError, load_config
from bot.log_redaction import redact_logs

Handler = Callable[[argparse.Namespace], int]
TOKEN_REFUSED = f"Telegram refused the bot token; check {TOKEN_ENV} (or [telegram] token)"
log = logging.getLogger("gridbot")


def _cmd_run(args: argparse.Namespace) -> int:
    from telegram.error import InvalidToken

    from bot.app import run
    from bot.backups import migrate
    from bot.cli_tasks import check_token
    from bot.clock import SystemClock
    from bot.logs import configure_logging
    from bot.runlock import AlreadyRunning, RunLock
    from services.town_files import load_town_files

    config = load_config(args.config)
    configure_logging(config.logging.format, config.logging.level, args.verbose)
    if args.webhook:
        from bot.webhook import webhook_settings

        webhook_settings(config)  # a missing address or secret token stops us here
    if not config.token():
        print(
            "error: no bot token; set GRIDBOT_TOKEN or [telegram] token "
            "(or try `make demo`, which needs none)",
            file=sys.stderr,
        )
        return 2
    redact_logs(config.token(), config.webhook_secret() if args.webhook else "")
    # The town's files first: a mistake there needs no trip to Telegram to be named.
    load_town_files(config)
    if not asyncio.run(check_token(config)):
        raise InvalidToken(TOKEN_REFUSED)
    lock = RunLock(config.database.path)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(f"error: the bot already runs on this database ({exc})", file=sys.stderr)
        return 1
    try:
        # Upgrades happen here, after a backup, before anything reads the database.
        asyncio.run(migrate(config, SystemClock().now()))
        run(config, webhook=args.webhook)
    finally:
        lock.release()
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from bot.ops_cli import migrate_command

    return migrate_command(load_config(args.config))


def _cmd_restore(args: argparse.Namespace) -> int:
    from bot.ops_cli import restore_command

    return restore_command(load_config(args.config), Path(args.backup))


def _cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor

    return _run(run_doctor(Path(args.config), args.language, webhook=args.webhook))


def _cmd_install_service(args: argparse.Namespace) -> int:
    from bot.ops_cli import install_service

    return install_service(
        load_config(args.config),
        Path(args.config),
        Path(args.output),
        user=args.user,
        env_file=Path(args.env_file),
        webhook=args.webhook,
    )


def _run(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


def _cmd_import_roster(args: argparse.Namespace) -> int:
    from bot.cli_tasks import import_roster

    return _run(import_roster(load_config(args.config), Path(args.roster)))


def _cmd_sample_roster(args: argparse.Namespace) -> int:
    from bot.cli_tasks import sample_roster

    return sample_roster(
        Path(args.out), template=args.template, towns=args.towns, county=args.county
    )


def _cmd_invite(args: argparse.Namespace) -> int:
    from bot.cli_tasks import invite

    return _run(invite(load_config(args.config), args.staff, args.bot_username))


def _cmd_backup(args: argparse.Namespace) -> int:
    from bot.cli_tasks import backup

    return _run(backup(load_config(args.config), Path(args.dest)))


def _cmd_export(args: argparse.Namespace) -> int:
    from bot.cli_tasks import export

    return export(load_config(args.config), Path(args.out), args.language)


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox.server import run_sandbox

    try:
        asyncio.run(
            run_sandbox(args.host, args.port, args.token, flood_limits=not args.no_flood_limits)
        )
    except KeyboardInterrupt:
        pass
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    if not args.verbose:
        # The transcript is the demo's output; the bot's own log would drown it.
        logging.getLogger().setLevel(logging.WARNING)

    status = _run(run_demo(Path(args.out)))
    if status != 0 or not args.serve:
        return status
    from services.sample_town import build_sample_town

    return _serve(args, Path(args.out) / "playground", build_sample_town(), {})


def _cmd_playground(args: argparse.Namespace) -> int:
    from services.roster import read_roster
    from services.sample_town import build_sample_town

    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)
    settings: dict[str, Any] = {}
    if args.config:
        # The town's settings; the token and the database are the playground's own.
        settings = load_config(args.config).model_dump(exclude={"telegram", "database"})
    roster = build_sample_town()
    if args.roster:
        read = read_roster(args.roster)
        if isinstance(read, list):
            for error in read:
                print(error, file=sys.stderr)
            return 1
        roster = read
    return _serve(args, Path(args.out), roster, settings)


def _serve(args: argparse.Namespace, folder: Path, roster: Any, settings: dict[str, Any]) -> int:
    from bot.playground import run_playground
    from bot.playground.cast import NoCast

    try:
        return _run(run_playground(folder, roster, settings, args.host, args.port, args.language))
    except KeyboardInterrupt:
        return 0
    except NoCast as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _serve_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--host", default="127.0.0.1", help="where the page listens (localhost)")
    cmd.add_argument("--port", type=int, default=8765, help="the page's port (busy: any free one)")
    cmd.add_argument(
        "--language", choices=("zh", "en"), default="zh", help="the people's Telegram language"
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    top = argparse.ArgumentParser(prog="gridbot", description="Grid-governance chat bot.")
    top.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help, description=help)
        cmd.set_defaults(handler=handler)
        return cmd

    def with_config(cmd: argparse.ArgumentParser) -> argparse.ArgumentParser:
        cmd.add_argument("--config", required=True, metavar="FILE", help="the TOML config file")
        return cmd

    cmd = with_config(add("run", _cmd_run, "run the bot (long polling, or --webhook)"))
    cmd.add_argument(
        "--webhook",
        action="store_true",
        help="take updates by webhook ([telegram.webhook]) instead of long polling",
    )
    cmd = with_config(
        add(
            "import-roster",
            _cmd_import_roster,
            "import units, staff and households from an XLSX file or CSV folder",
        )
    )
    cmd.add_argument("roster", metavar="ROSTER", help="roster.xlsx or a folder of CSV files")
    cmd = add(
        "sample-roster",
        _cmd_sample_roster,
        "write the sample town (or, with --template, an empty template)",
    )
    cmd.add_argument("out", metavar="OUT", help="OUT.xlsx, or a folder for CSV files")
    cmd.add_argument("--template", action="store_true", help="write headers and example rows only")
    cmd.add_argument(
        "--towns",
        type=int,
        default=1,
        metavar="N",
        help="N towns shaped like the sample town under one county (the first is Datunying)",
    )
    cmd.add_argument(
        "--county", action="store_true", help="a county unit above the towns even when N is 1"
    )
    cmd = with_config(add("invite", _cmd_invite, "print a one-time invitation link for staff"))
    cmd.add_argument("--staff", required=True, metavar="CODE", help="the staff member's code")
    cmd.add_argument(
        "--bot-username",
        default=None,
        help="the bot's username for the link (asked from Telegram if omitted)",
    )
    cmd = with_config(add("backup", _cmd_backup, "copy the live database (SQLite online backup)"))
    cmd.add_argument("dest", metavar="DEST", help="the backup file to write")
    cmd = with_config(
        add("restore", _cmd_restore, "put a backup in place of the database (bot stopped)")
    )
    cmd.add_argument("backup", metavar="BACKUP", help="the backup file to restore")
    with_config(
        add("migrate", _cmd_migrate, "bring the database schema up to date (after a backup)")
    )
    cmd = with_config(
        add("doctor", _cmd_doctor, "check the set-up (config, database, Telegram, groups)")
    )
    cmd.add_argument(
        "--language",
        choices=("zh", "en"),
        default=None,
        help="language of the report (default: [bot] language)",
    )
    cmd.add_argument(
        "--webhook", action="store_true", help="check for `gridbot run --webhook` (not polling)"
    )
    cmd = with_config(add("install-service", _cmd_install_service, "write the systemd unit"))
    cmd.add_argument(
        "--output",
        default="/etc/systemd/system/gridbot.service",
        metavar="FILE",
        help="where to write the unit (default: %(default)s)",
    )
    cmd.add_argument("--user", default="gridbot", help="the system user that runs the bot")
    cmd.add_argument(
        "--env-file",
        default="/etc/gridbot/gridbot.env",
        metavar="FILE",
        help="the file that holds GRIDBOT_TOKEN=... (default: %(default)s)",
    )
    cmd.add_argument("--webhook", action="store_true", help="the unit runs `gridbot run --webhook`")
    cmd = with_config(
        add("export", _cmd_export, "export every record: OUT.xlsx, or a folder of CSV files")
    )
    cmd.add_argument("out", metavar="OUT", help="OUT.xlsx, or a folder for CSV files")
    cmd.add_argument(
        "--language",
        choices=("zh", "en"),
        default=None,
        help="language of sheet names and headers (default: [bot] language)",
    )
    cmd = add("sandbox", _cmd_sandbox, "run the local stand-in of the Telegram Bot API")
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=8081)
    cmd.add_argument("--token", default="123456:SANDBOX", help="the token the sandbox accepts")
    cmd.add_argument(
        "--no-flood-limits",
        action="store_true",
        help="answer every send (no 429s), e.g. for benchmarks",
    )
    cmd = add("demo", _cmd_demo, "play a scripted walkthrough against the sandbox")
    cmd.add_argument("--out", default="demo-out", help="folder for the transcript and files")
    cmd.add_argument(
        "--no-serve",
        dest="serve",
        action="store_false",
        help="only print the transcript (default: then serve the playground page)",
    )
    _serve_options(cmd)
    cmd = add("playground", _cmd_playground, "serve the bot in a web chat page, for trying it")
    cmd.add_argument("--config", default=None, metavar="FILE", help="the town's settings")
    cmd.add_argument("--roster", default=None, metavar="ROSTER", help="default: the sample town")
    cmd.add_argument("--out", default="playground-out", help="folder for the database")
    _serve_options(cmd)
    return top


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; returns the exit status."""
    from bot.logs import configure_logging

    args = parser().parse_args(argv)
    configure_logging(verbose=args.verbose)
    # Request addresses carry the bot token: keep it out of every log line and traceback.
    redact_logs()
    from telegram.error import InvalidToken

    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        # Its message names the token: one line of our own instead.
        print(f"error: {TOKEN_REFUSED}", file=sys.stderr)
        return 1
    except Exception:
        # Through the log, so that the traceback is redacted like every other line.
        log.exception("gridbot %s failed", args.command)
        return 1


if __name__ == "__main__":
    sys.exit(main())
