"""The systemd unit shipped with the bot, filled in with this installation's paths."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bot.config import Config

TEMPLATE = "gridbot.service"


@dataclass(frozen=True)
class UnitSettings:
    """Who runs the bot and where its files are."""

    config_path: Path
    user: str = "gridbot"
    group: str = "gridbot"
    env_file: Path = Path("/etc/gridbot/gridbot.env")
    gridbot: Path = Path(sys.executable).parent / "gridbot"
    # `gridbot run --webhook` instead of long polling.
    webhook: bool = False


def render_unit(config: Config, settings: UnitSettings) -> str:
    """The unit file text for this configuration."""
    database_dir = Path(config.database.path).resolve().parent
    writable = [database_dir]
    backups = config.backup_folder().resolve()
    if not backups.is_relative_to(database_dir):
        writable.append(backups)
    installed = [settings.gridbot, settings.config_path.resolve(), *writable]
    # ProtectHome=yes hides /home; an installation living there still needs to be read.
    under_home = any(p.is_relative_to("/home") or p.is_relative_to("/root") for p in installed)
    template = resources.files("bot.deploy").joinpath(TEMPLATE).read_text(encoding="utf-8")
    body = template.split("\n[Unit]", 1)[1]
    return "[Unit]" + body.format(
        readme=Path(__file__).resolve().parents[2] / "README.md",
        user=settings.user,
        group=settings.group,
        workdir=database_dir,
        env_file=settings.env_file,
        data_dir=database_dir,
        gridbot=settings.gridbot,
        config=settings.config_path.resolve(),
        run_options=" --webhook" if settings.webhook else "",
        protect_home="read-only" if under_home else "yes",
        read_write=" ".join(str(p) for p in writable),
    )
