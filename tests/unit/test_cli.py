"""The command line: every subcommand's happy path and its failures."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[database]\npath = "grid.sqlite3"\n[bot]\nusername = "gridbot_bot"\n', encoding="utf-8"
    )
    return path


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        [],
        ["run"],
        ["import-roster"],
        ["sample-roster"],
        ["invite"],
        ["backup"],
        ["restore"],
        ["migrate"],
        ["doctor"],
        ["install-service"],
        ["sandbox"],
        ["demo"],
    ):
        with pytest.raises(SystemExit) as ex:
            main([*argv, "--help"])
        assert ex.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_usage_errors_exit_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ex:
        main(["import-roster"])
    assert ex.value.code == 2
    assert "--config" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["no-such-command"])


def test_sample_roster_import_invite_and_backup(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = tmp_path / "town.xlsx"
    assert main(["sample-roster", str(workbook)]) == 0
    csv_dir = tmp_path / "town-csv"
    assert main(["sample-roster", str(csv_dir)]) == 0
    assert sorted(p.name for p in csv_dir.iterdir()) == ["households.csv", "staff.csv", "units.csv"]
    assert main(["import-roster", "--config", str(config), str(workbook)]) == 0
    assert "households: 13061 created" in capsys.readouterr().out
    # Re-importing the same town as CSV changes nothing.
    assert main(["import-roster", "--config", str(config), str(csv_dir)]) == 0
    assert "households: 0 created, 0 updated, 0 deactivated, 13061 unchanged" in (
        capsys.readouterr().out
    )
    db = sqlite3.connect(tmp_path / "grid.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM units WHERE level = 4").fetchone() == (1084,)
    code = db.execute("SELECT code FROM staff WHERE level = 4 ORDER BY code").fetchone()[0]
    db.close()
    capsys.readouterr()
    assert main(["invite", "--config", str(config), "--staff", code]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/gridbot_bot?start=inv" in out
    assert main(["invite", "--config", str(config), "--staff", "NOBODY"]) == 1
    backup = tmp_path / "backup" / "copy.sqlite3"
    assert main(["backup", "--config", str(config), str(backup)]) == 0
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT COUNT(*) FROM invitations").fetchone() == (1,)
    copy.close()


def test_template_is_written(tmp_path: Path) -> None:
    assert main(["sample-roster", "--template", str(tmp_path / "template.xlsx")]) == 0
    assert (tmp_path / "template.xlsx").stat().st_size > 0


def test_bad_roster_imports_nothing(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "units.csv").write_text(
        "code,name,level,parent_code\nT,镇,1,\nV,村,3,T\n", encoding="utf-8"
    )
    (folder / "staff.csv").write_text("code,name,phone,level,unit_code\n", encoding="utf-8")
    (folder / "households.csv").write_text(
        "code,micro_grid_code,head_name,address,phone,members,tags\n", encoding="utf-8"
    )
    assert main(["import-roster", "--config", str(config), str(folder)]) == 1
    err = capsys.readouterr().err
    assert "units line 3" in err and "nothing imported" in err


def test_config_errors_name_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[time]\nzone = "Nowhere/Town"\n', encoding="utf-8")
    assert main(["backup", "--config", str(bad), str(tmp_path / "x")]) == 2
    assert "time.zone" in capsys.readouterr().err


def test_run_without_a_token_explains(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRIDBOT_TOKEN", raising=False)
    assert main(["run", "--config", str(config)]) == 2
    assert "GRIDBOT_TOKEN" in capsys.readouterr().err


def test_run_webhook_without_address_or_secret_explains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDBOT_TOKEN", "123456:NOT-ASKED")
    monkeypatch.delenv("GRIDBOT_WEBHOOK_SECRET", raising=False)
    path = tmp_path / "config.toml"
    path.write_text('[database]\npath = "grid.sqlite3"\n', encoding="utf-8")
    assert main(["run", "--config", str(path), "--webhook"]) == 2
    assert "[telegram.webhook] url" in capsys.readouterr().err
    path.write_text(
        '[telegram.webhook]\nurl = "https://bot.example.org"\n[database]\npath = "grid.sqlite3"\n',
        encoding="utf-8",
    )
    assert main(["run", "--config", str(path), "--webhook"]) == 2
    assert "GRIDBOT_WEBHOOK_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("GRIDBOT_WEBHOOK_SECRET", "has spaces")
    assert main(["run", "--config", str(path), "--webhook"]) == 2
    assert "A-Z, a-z, 0-9, _ and - only" in capsys.readouterr().err
    assert not (tmp_path / "grid.sqlite3").exists()  # stopped before anything else


def test_backup_without_database(tmp_path: Path, config: Path) -> None:
    assert main(["backup", "--config", str(config), str(tmp_path / "b.sqlite3")]) == 1
