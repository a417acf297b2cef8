"""Checks on this server: configuration, database file, town files, the chart font."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from bot.config import Config, ConfigError
from bot.doctor.findings import Advice, Finding, Verdict
from bot.storage.backups import applied_versions, integrity_problems
from bot.storage.db import migration_versions
from bot.storage.doctor import journal_mode, read_only, unit_count
from services.town_files import load_town_files


def database_findings(config: Config, say: Advice) -> list[Finding]:
    """The database opens, passes its integrity check, has the current schema, is WAL."""
    path = Path(config.database.path)
    say = say.with_values(path=path)
    if not path.exists():
        return [say(Verdict.FAIL, "db_missing")]
    try:
        problems = integrity_problems(path)
        versions = applied_versions(path) or set()
        with read_only(path) as conn:
            mode = journal_mode(conn)
            units = unit_count(conn) if versions and not problems else 0
    except sqlite3.Error as exc:
        return [say(Verdict.FAIL, "db_unreadable", error=exc)]
    if problems:
        return [say(Verdict.FAIL, "db_corrupt", problems="; ".join(problems[:3]))]
    found: list[Finding] = []
    known = migration_versions()
    newest_known = known[-1][0] if known else 0
    if versions and max(versions) > newest_known:
        found.append(say(Verdict.FAIL, "db_newer", found=max(versions), known=newest_known))
    pending = [name for version, name in known if version not in versions]
    if pending:
        found.append(say(Verdict.WARN, "db_pending", count=len(pending), names=", ".join(pending)))
    if mode != "wal":
        found.append(say(Verdict.WARN, "db_not_wal", mode=mode))
    mode_bits = stat.S_IMODE(path.stat().st_mode)
    if mode_bits & 0o044:
        found.append(say(Verdict.WARN, "db_open_to_others", mode=f"{mode_bits:o}"))
    if units == 0:
        found.append(say(Verdict.FAIL, "db_no_units", fix="db_missing_fix"))
    if not any(f.verdict is not Verdict.OK for f in found):
        found.append(say(Verdict.OK, "db_ok", version=max(versions, default=0)))
    return found


def town_file_findings(config: Config, say: Advice) -> list[Finding]:
    """The questionnaire, handbook and guide (configured or shipped) are valid."""
    try:
        load_town_files(config)
    except ConfigError as exc:
        return [say(Verdict.FAIL, "town_files_bad", error=exc)]
    return [say(Verdict.OK, "town_files_ok")]


def font_findings(config: Config, say: Advice) -> list[Finding]:
    """The weekly chart's font is where the configuration says (or shipped)."""
    digest = config.cadre.digest
    if not (digest.enabled and digest.chart):
        return [say(Verdict.OK, "font_off")]
    path = digest.chart_font
    if not path:
        try:
            import pylopdf_fonts_zh_cn

            path = str(pylopdf_fonts_zh_cn.sans_path())
        except (ImportError, OSError) as exc:
            return [say(Verdict.WARN, "font_missing", path=exc)]
    if not Path(path).is_file():
        return [say(Verdict.WARN, "font_missing", path=path)]
    return [say(Verdict.OK, "font_ok", path=path)]


def local_findings(config: Config, say: Advice) -> list[Finding]:
    """Every check that needs no network."""
    return [
        *database_findings(config, say),
        *town_file_findings(config, say),
        *font_findings(config, say),
    ]
