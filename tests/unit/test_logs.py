"""Logging: text or JSON lines, library chatter kept at WARNING unless verbose."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import CHATTY, StderrHandler, configure_logging


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    levels = {name: logging.getLogger(name).level for name in CHATTY}
    yield
    for handler in list(root.handlers):
        if handler.get_name() == StderrHandler.HANDLER_NAME:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_json_lines_carry_fields_and_extras(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "INFO")
    logging.getLogger("scheduler.backup").info("backup written: %s", "x.sqlite3", extra={"n": 3})
    line = capsys.readouterr().err.strip().splitlines()[-1]
    data = json.loads(line)
    assert data["level"] == "INFO"
    assert data["logger"] == "scheduler.backup"
    assert data["message"] == "backup written: x.sqlite3"
    assert data["n"] == 3
    assert data["time"].endswith("+00:00")


def test_library_chatter_is_quiet_unless_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("text", "INFO")
    logging.getLogger("apscheduler.executors.default").info("Running job ...")
    logging.getLogger("httpx").info("HTTP Request: POST ...")
    logging.getLogger("handlers.reports.filing").info("report #1 filed")
    err = capsys.readouterr().err
    assert "Running job" not in err and "HTTP Request" not in err
    assert "INFO handlers.reports.filing: report #1 filed" in err
    configure_logging("text", "INFO", verbose=True)
    logging.getLogger("apscheduler.executors.default").info("Running job ...")
    assert "Running job" in capsys.readouterr().err


def test_configuring_again_replaces_only_our_handler() -> None:
    root = logging.getLogger()
    others = [h for h in root.handlers if h.get_name() != StderrHandler.HANDLER_NAME]
    configure_logging("text", "WARNING")
    configure_logging("json", "ERROR")
    ours = [h for h in root.handlers if h.get_name() == StderrHandler.HANDLER_NAME]
    assert len(ours) == 1
    assert [h for h in root.handlers if h.get_name() != StderrHandler.HANDLER_NAME] == others
    assert root.level == logging.ERROR
