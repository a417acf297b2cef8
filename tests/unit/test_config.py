"""Configuration: defaults, durations, and errors that name the key."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, config_from_dict, load_config, parse_duration

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_loads_with_documented_defaults() -> None:
    config = load_config(ROOT / "config.example.toml")
    assert config.bot.language == "zh"
    assert config.time.zone == "Asia/Shanghai"
    assert [c.code for c in config.categories] == ["infrastructure", "policy", "dispute", "other"]
    assert config.category("policy").label("zh") == "政策咨询"
    assert config.invitations.valid_for == timedelta(days=7)


def test_defaults_without_a_file() -> None:
    config = config_from_dict({})
    assert config.time.zone == "Asia/Shanghai"
    assert config.bot.language == "zh"
    assert len(config.categories) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("3d", timedelta(days=3)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "3x", "-1h", "0s", "h4", 5])
def test_bad_durations_are_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"bot": {"language": "fr"}}, "bot.language"),
        ({"bot": {"colour": "red"}}, "bot.colour: unknown key"),
        ({"nonsense": 1}, "nonsense: unknown key"),
        ({"time": {"zone": "Mars/Olympus"}}, "time.zone"),
        ({"invitations": {"valid_for": "soon"}}, "invitations.valid_for"),
        ({"telegram": {"api_base_url": "ftp://x"}}, "telegram.api_base_url"),
        (
            {"telegram": {"rate_limit": {"overall_per_second": 99}}},
            "telegram.rate_limit.overall_per_second",
        ),
        (
            {
                "categories": [
                    {"code": "a", "zh": "甲", "en": "A"},
                    {"code": "a", "zh": "乙", "en": "B"},
                ]
            },
            "categories",
        ),
        ({"categories": [{"code": "Bad Code", "zh": "甲", "en": "A"}]}, "categories.0.code"),
    ],
)
def test_errors_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(data)
    assert key in str(err.value)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\nlanguage = 'zh'", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[database]\npath = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"wrong.toml: database.path"):
        load_config(wrong)


def test_relative_database_path_resolves_next_to_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[database]\npath = "data/bot.sqlite3"\n', encoding="utf-8")
    assert load_config(cfg).database.path == str(tmp_path / "data/bot.sqlite3")


def test_token_from_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_from_dict({"telegram": {"token": "1:file"}})
    assert config.token() == "1:file"
    monkeypatch.setenv("GRIDBOT_TOKEN", "2:env")
    assert config.token() == "2:env"


def test_operations_sections_match_the_example(tmp_path: Path) -> None:
    example = load_config(ROOT / "config.example.toml")
    defaults = config_from_dict({})
    assert example.logging == defaults.logging
    assert example.health == defaults.health
    assert example.backup == defaults.backup
    assert example.backup_folder() == Path(example.database.path).parent / "backups"
    moved = tmp_path / "config.toml"
    moved.write_text('[backup]\nfolder = "copies"\nkeep_daily = 3\n', encoding="utf-8")
    config = load_config(moved)
    assert config.backup_folder() == tmp_path / "copies"
    with pytest.raises(ConfigError, match=r"backup\.schedule"):
        config_from_dict({"backup": {"schedule": "every day"}})
    with pytest.raises(ConfigError, match=r"logging\.format"):
        config_from_dict({"logging": {"format": "xml"}})


def test_a_deprecated_digest_key_still_loads() -> None:
    from bot.config import config_from_dict

    config = config_from_dict({"cadre": {"digest": {"catch_up_within": "12h"}}})
    assert config.cadre.digest.catch_up_within is not None
    assert config.cadre.digest.daily == config_from_dict({}).cadre.digest.daily


def test_one_idle_timeout_and_the_deprecated_households_key() -> None:
    from datetime import timedelta

    from bot.config import config_from_dict

    assert config_from_dict({}).logbook_timeout() == config_from_dict({}).flows.timeout
    assert config_from_dict({"flows": {"timeout": "3h"}}).logbook_timeout() == timedelta(hours=3)
    old = config_from_dict({"flows": {"timeout": "3h"}, "households": {"flow_timeout": "1h"}})
    assert old.logbook_timeout() == timedelta(hours=1)
    assert old.flows.timeout == timedelta(hours=3)


def test_the_deprecated_households_timeout_is_warned_about_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.app import build_application
    from bot.config import config_from_dict

    def build(settings: dict[str, object]) -> list[str]:
        caplog.clear()
        config = config_from_dict(
            {
                **settings,
                "telegram": {"token": "123456:TEST"},
                "database": {"path": str(tmp_path / "x.sqlite3")},
            }
        )
        with caplog.at_level("WARNING", logger="bot.app"):
            build_application(config)
        return [r.getMessage() for r in caplog.records if "flow_timeout" in r.getMessage()]

    assert build({}) == []
    [warning] = build({"households": {"flow_timeout": "1h"}})
    assert "deprecated" in warning and "[flows] timeout" in warning


def test_the_example_config_is_the_defaults_written_out() -> None:
    """config.example.toml documents every default: loading it changes nothing (but where the
    relative database path is resolved)."""
    from pathlib import Path

    from bot.config import config_from_dict, load_config

    root = Path(__file__).resolve().parents[2]
    example = load_config(root / "config.example.toml")
    defaults = config_from_dict({}, base_dir=root)
    for section in type(defaults).model_fields:
        assert getattr(example, section) == getattr(defaults, section), section
