"""Logging set-up: one line per meaningful event, library chatter kept down, text or JSON."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Libraries that log a line per job run or per HTTP request: WARNING unless -v.
CHATTY = ("apscheduler", "httpx", "httpcore", "aiohttp.access", "telegram.ext.ExtBot")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# LogRecord attributes that are not extra fields given by the caller.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(fmt: str = "text", level: str = "INFO", verbose: bool = False) -> None:
    """Set the root handler and levels (again, once the config is known)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level))
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)
