"""The systemd unit: the keys that matter, the paths of this installation, systemd's verdict."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import config_from_dict
from bot.deploy.unit import UnitSettings, render_unit


def _parse(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


@pytest.fixture
def unit_text(tmp_path: Path) -> str:
    config_path = tmp_path / "etc" / "config.toml"
    config = config_from_dict(
        {
            "database": {"path": "/srv/gridbot/grid.sqlite3"},
            "backup": {"folder": "/var/backups/gridbot"},
        }
    )
    settings = UnitSettings(config_path=config_path, gridbot=Path("/opt/gridbot/bin/gridbot"))
    return render_unit(config, settings)


def test_unit_has_the_required_keys(unit_text: str, tmp_path: Path) -> None:
    unit = _parse(unit_text)
    service = unit["Service"]
    assert service["User"] == "gridbot"
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/gridbot/gridbot.env"
    assert service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectHome"] == "yes"
    assert service["ReadWritePaths"].split() == ["/srv/gridbot", "/var/backups/gridbot"]
    assert service["ExecStart"] == (
        f"/opt/gridbot/bin/gridbot run --config {tmp_path / 'etc' / 'config.toml'}"
    )
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "{" not in unit_text


def test_installation_under_home_stays_readable(tmp_path: Path) -> None:
    config = config_from_dict({"database": {"path": "/home/grid/data/grid.sqlite3"}})
    text = render_unit(config, UnitSettings(config_path=Path("/home/grid/config.toml")))
    service = _parse(text)["Service"]
    assert service["ProtectHome"] == "read-only"
    # Backups default to a folder beside the database: one writable path covers both.
    assert service["ReadWritePaths"] == "/home/grid/data"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_accepts_the_installed_unit(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "data/grid.sqlite3"\n', encoding="utf-8")
    unit = tmp_path / "gridbot.service"
    assert main(["install-service", "--config", str(config), "--output", str(unit)]) == 0
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # systemd only warns about a key it cannot parse: any line naming the unit is a mistake.
    assert "gridbot.service" not in result.stderr, result.stderr


def test_webhook_unit_runs_the_webhook_mode(tmp_path: Path) -> None:
    config = config_from_dict({"database": {"path": "/srv/gridbot/grid.sqlite3"}})
    settings = UnitSettings(
        config_path=tmp_path / "config.toml", gridbot=Path("/opt/gridbot/bin/gridbot"), webhook=True
    )
    service = _parse(render_unit(config, settings))["Service"]
    assert service["ExecStart"] == (
        f"/opt/gridbot/bin/gridbot run --config {tmp_path / 'config.toml'} --webhook"
    )
