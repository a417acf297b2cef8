"""Town files saved by Chinese Windows (GB18030) are read like the roster is; a file that is
no text at all stops start-up with one line naming it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, config_from_dict
from services.town_files import load_town_files


def _shipped(name: str) -> str:
    return resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_town_files_in_any_usual_encoding(tmp_path: Path, encoding: str) -> None:
    files = {}
    for key, name in (
        ("survey", "questionnaire.toml"),
        ("policy", "policy_handbook.toml"),
        ("pension", "pension_guide.toml"),
    ):
        path = tmp_path / name
        path.write_text(_shipped(name), encoding=encoding)
        files[key] = str(path)
    config = config_from_dict(
        {
            "flows": {
                "survey": {"file": files["survey"]},
                "policy": {"file": files["policy"]},
                "pension": {"guide": files["pension"]},
            }
        }
    )
    loaded = load_town_files(config)
    shipped = load_town_files(config_from_dict({}))
    assert loaded.questionnaire.title == shipped.questionnaire.title
    assert "满意" in str(loaded.questionnaire.questions[0].text)
    assert loaded.guide == shipped.guide
    assert loaded.handbook == shipped.handbook


def test_a_file_that_is_not_text_is_named_in_one_line(tmp_path: Path) -> None:
    # Saved as "Unicode" (UTF-16) by Notepad: neither UTF-8 nor GB18030.
    path = tmp_path / "guide.toml"
    path.write_bytes(_shipped("pension_guide.toml").encode("utf-16"))
    config = config_from_dict({"flows": {"pension": {"guide": str(path)}}})
    with pytest.raises(ConfigError) as raised:
        load_town_files(config)
    message = str(raised.value)
    assert str(path) in message and "UTF-8" in message and "GB18030" in message
    assert "\n" not in message


def test_run_stops_with_one_line_for_an_unreadable_town_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "q.toml").write_bytes(b"\xff\xfe\x00\x81 not text")
    (tmp_path / "config.toml").write_text(
        '[database]\npath = "grid.sqlite3"\n[flows.survey]\nfile = "q.toml"\n', encoding="utf-8"
    )
    monkeypatch.setenv("GRIDBOT_TOKEN", "123:not-used-before-the-files-are-checked")
    assert main(["run", "--config", str(tmp_path / "config.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "q.toml" in err and "Traceback" not in err


def test_a_config_file_saved_as_gb18030_is_read(tmp_path: Path) -> None:
    from bot.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('# 镇里的配置\n[bot]\nlanguage = "en"\n', encoding="gb18030")
    assert load_config(path).bot.language == "en"
    path.write_bytes(b"\x81\x20")
    with pytest.raises(ConfigError, match="not UTF-8 or GB18030"):
        load_config(path)
