"""`gridbot doctor` against the sandbox: a healthy set-up, and each broken one with its advice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.doctor import Verdict, diagnose, run_doctor
from bot.storage.db import migration_versions
from sandbox.state import Chat, User
from tests.e2e.harness import Harness

TOKEN = "424242:SANDBOX-TEST"
VERSION = migration_versions()[-1][0]
COVERAGE = [
    "! Not yet set up (per village):",
    "    T 大屯营镇: 1 staff without a linked account, 0 micro-grid(s) without a bound group",
    "    V1 大屯营村: 4 staff without a linked account, 2 micro-grid(s) without a bound group",
    "    V2 三仙坳村: 3 staff without a linked account, 1 micro-grid(s) without a bound group",
]


def write_config(h: Harness, tmp_path: Path, extra: str = "", token: str = TOKEN) -> Path:
    """A config file for the running stage's sandbox and database."""
    assert h.config is not None
    path = tmp_path / "config.toml"
    path.write_text(
        f'[bot]\nusername = "gridbot_demo_bot"\n'
        f'[telegram]\ntoken = "{token}"\napi_base_url = "{h.sb.base_url}"\n'
        f'[database]\npath = "{h.config.database.path}"\n{extra}',
        encoding="utf-8",
    )
    return path


async def doctor(path: Path, language: str = "en") -> tuple[int, list[str]]:
    lines: list[str] = []
    code = await run_doctor(path, language, out=lines.append)
    return code, lines


def section(lines: list[str], first: str) -> list[str]:
    """The finding that starts with `first` and its indented lines."""
    start = lines.index(first)
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return lines[start:end]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRIDBOT_TOKEN", raising=False)


async def test_healthy_setup(h: Harness, town: tuple[User, User, Chat], tmp_path: Path) -> None:
    path = write_config(h, tmp_path)
    code, lines = await doctor(path)
    assert code == 0, lines
    assert lines[:2] == [f"gridbot doctor — {path}", f"✓ Configuration valid: {path}"]
    assert (
        f"✓ Database sound: {h.config.database.path} (integrity ok, WAL, schema {VERSION})."
        in lines
    )  # type: ignore[union-attr]
    for line in (
        "✓ Town files valid (questionnaire, policy handbook, pension guide).",
        "✓ Token works: the bot is @gridbot_demo_bot.",
        "✓ Group privacy is on: in groups the bot sees only commands, replies to it and "
        "button presses.",
        "✓ No webhook is set: polling works.",
        "✓ All 1 bound groups: the bot is a member and may pin.",
    ):
        assert line in lines, lines
    assert any(line.startswith("✓ Chart font present: ") for line in lines)
    assert section(lines, COVERAGE[0])[:4] == COVERAGE
    assert lines[-1] == "Ready to run (1 warning(s))."


async def test_progress_goes_to_stderr(
    h: Harness, town, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["doctor", "--config", str(write_config(h, tmp_path))]
    assert await asyncio.to_thread(main, argv) == 0
    captured = capsys.readouterr()
    assert "已检查群：1/1" in captured.err
    assert "全部 1 个已绑定的群：机器人都在群内，并且可以置顶。" in captured.out


async def test_bad_token(h: Harness, tmp_path: Path) -> None:
    code, lines = await doctor(write_config(h, tmp_path, token="424242:WRONG"))
    assert code == 1
    assert section(lines, "✗ Telegram refuses the token.") == [
        "✗ Telegram refuses the token.",
        "  → copy the token again from @BotFather (/mybots → your bot → API Token); "
        "if it was revoked, use the new one.",
    ]
    assert not any("WRONG" in line for line in lines)
    assert lines[-1] == "Not ready: 1 problem(s) block running; 1 warning(s)."


async def test_privacy_off(h: Harness, town, tmp_path: Path) -> None:
    h.sb.set_privacy_mode(False)
    code, lines = await doctor(write_config(h, tmp_path))
    assert code == 0
    assert section(
        lines,
        "! Group privacy is off: the bot receives every message of every "
        "group, residents' chatter included.",
    )[1] == (
        "  → in @BotFather send /setprivacy, choose @gridbot_demo_bot, then Enable; groups the "
        "bot is already in keep the old setting until it is removed and added back."
    )
    assert lines[-1] == "Ready to run (2 warning(s))."


async def test_bot_removed_from_a_group(h: Harness, town, tmp_path: Path) -> None:
    _worker, resident, chat = town
    await h.stop_bot()  # removed while the bot was down: the database still counts the group
    h.sb.remove_bot_from_group(resident, chat)
    code, lines = await doctor(write_config(h, tmp_path))
    assert code == 0
    assert section(lines, "! The bot is no longer in 1 bound group(s):") == [
        "! The bot is no longer in 1 bound group(s):",
        f"    M1 益家冲组 (chat {chat.id})",
        "  → ask each micro-grid's worker to add the bot to the group again and send "
        "/bind MICRO_GRID_CODE there.",
    ]
    assert not any("bound groups: the bot is a member" in line for line in lines)


async def test_bot_not_allowed_to_pin(h: Harness, town, tmp_path: Path) -> None:
    _worker, _resident, chat = town
    h.sb.withdraw_pin_right(chat)
    code, lines = await doctor(write_config(h, tmp_path))
    assert code == 0
    assert section(
        lines, "! The bot may not pin in 1 bound group(s), so their contact cards are not pinned:"
    )[1:] == [
        f"    M1 益家冲组 (chat {chat.id})",
        "  → in each group's settings make the bot an administrator with “Pin messages”, or let "
        "members pin messages.",
    ]


async def test_administrator_with_pin_right_passes(h: Harness, town, tmp_path: Path) -> None:
    worker, _resident, chat = town
    h.sb.withdraw_pin_right(chat)
    h.sb.promote_bot(worker, chat)
    await h.settle_all()
    h.sb.grant_pin_right(chat)
    _code, lines = await doctor(write_config(h, tmp_path))
    assert "✓ All 1 bound groups: the bot is a member and may pin." in lines


async def test_bad_town_file(h: Harness, tmp_path: Path) -> None:
    bad = tmp_path / "handbook.toml"
    bad.write_text('[[entries]]\nid = "x"\n', encoding="utf-8")
    path = write_config(h, tmp_path, extra=f'[flows.policy]\nfile = "{bad}"\n')
    code, lines = await doctor(path)
    assert code == 1
    found = next(line for line in lines if line.startswith("✗ A town file has mistakes: "))
    assert str(bad) in found
    following = lines[lines.index(found) + 1 :]
    assert next(line for line in following if line.startswith("  → ")) == (
        "  → correct the file, entry and field named above (the shipped samples in bot/data/ "
        "describe the format at their top)."
    )


async def test_webhook_set_while_polling(h: Harness, town, tmp_path: Path) -> None:
    h.sb.world.webhook = {"url": "https://grid.example.org/hook"}
    code, lines = await doctor(write_config(h, tmp_path))
    h.sb.world.webhook = {"url": ""}
    assert code == 1
    assert section(
        lines,
        "✗ A webhook is set (https://grid.example.org/hook) while this configuration polls: "
        "polling gets no updates while it is set.",
    )[1] == (
        "  → if another installation receives the updates there, stop it first; if not, remove "
        f'the webhook: curl "{h.sb.base_url}$GRIDBOT_TOKEN/deleteWebhook" '
        "(or run this one with gridbot run --webhook)"
    )


async def test_username_mismatch(h: Harness, town, tmp_path: Path) -> None:
    path = write_config(h, tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("gridbot_demo_bot", "other_bot"), "utf-8"
    )
    code, lines = await doctor(path)
    assert code == 1
    assert section(
        lines, "✗ [bot] username is “other_bot” but the token belongs to @gridbot_demo_bot."
    )[1] == (
        '  → set [bot] username = "gridbot_demo_bot" (invitation links made on the command line '
        "use it), or use the token of @other_bot."
    )


async def test_invalid_config_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[reports]\nmax_lenght = 10\n", encoding="utf-8")
    code, lines = await doctor(path, language="zh")
    assert code == 1
    assert lines[1] == f"✗ 配置文件有误：{path}: reports.max_lenght: unknown key"
    assert lines[2] == (
        f"  → 按上面指出的键修改 {path}（每个键的说明见 config.example.toml），然后重新运行体检。"
    )
    assert lines[-1] == "尚不能运行：1 个问题会妨碍运行，另有 1 条提醒。"


async def test_missing_and_broken_database(h: Harness, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    missing = tmp_path / "none" / "grid.sqlite3"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{h.sb.base_url}"\n'
        f'[database]\npath = "{missing}"\n',
        encoding="utf-8",
    )
    code, lines = await doctor(path)
    assert code == 1
    assert section(lines, f"✗ No database at {missing}.")[1] == (
        f"  → import the roster first: gridbot import-roster --config {path} ROSTER.xlsx"
    )
    assert not missing.exists()  # the preflight never creates or changes the database
    missing.parent.mkdir()
    missing.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    code, lines = await doctor(path)
    assert code == 1
    assert any(line.startswith("✗ The database ") for line in lines), lines


async def test_webhook_mode_expects_its_own_address(h: Harness, town, tmp_path: Path) -> None:
    path = write_config(h, tmp_path)
    own = "https://grid.example.org/hook"
    _say, found = await diagnose(path, "en", progress=lambda done, total: None, webhook_url=own)
    assert next(f.text for f in found if f.verdict is Verdict.WARN) == (
        f"This installation expects a webhook at {own}, but none is set."
    )
    h.sb.world.webhook = {"url": "https://old.example.org/hook"}
    _say, found = await diagnose(path, "en", progress=lambda done, total: None, webhook_url=own)
    failed = [f for f in found if f.verdict is Verdict.FAIL]
    assert [f.text for f in failed] == [
        f"The webhook is set to https://old.example.org/hook, not to this installation's {own}."
    ]
    assert failed[0].fix == (
        "another installation may be receiving the updates: stop it, then start this one "
        "(it registers its own address)."
    )
    h.sb.world.webhook = {"url": own}
    _say, found = await diagnose(path, "en", progress=lambda done, total: None, webhook_url=own)
    assert f"The webhook is set to this installation: {own}" in [f.text for f in found]
    h.sb.world.webhook = {"url": ""}


async def test_unreachable_bot_api(h: Harness, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = write_config(h, tmp_path)
    url = f"http://127.0.0.1:{port}/bot"
    path.write_text(
        path.read_text(encoding="utf-8").replace(str(h.sb.base_url), url), encoding="utf-8"
    )
    code, lines = await doctor(path)
    assert code == 1
    found = next(line for line in lines if line.startswith("✗ The Bot API at "))
    assert found.startswith(f"✗ The Bot API at {url} cannot be reached: ")
    assert lines[lines.index(found) + 1] == (
        "  → check this server's network, proxy and DNS, and [telegram] api_base_url."
    )
