"""Keeping the bot token out of the logs: a filter on the root logger's handlers rewrites
every record (message, traceback, stack) that passes them."""

from __future__ import annotations

import logging
import re

# The token inside a Bot API address (…/bot123456:AAE…/getUpdates), and a bare token.
_IN_ADDRESS = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_BARE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
IN_ADDRESS = "bot<redacted>"
BARE = "<redacted>"


class TokenFilter(logging.Filter):
    """Replaces bot tokens, and the secrets it was given, in every record."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def redact(self, text: str) -> str:
        """`text` with every token in it replaced."""
        for secret in self.secrets:
            text = text.replace(f"bot{secret}", IN_ADDRESS).replace(secret, BARE)
        return _BARE.sub(BARE, _IN_ADDRESS.sub(IN_ADDRESS, text))

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse this cached text, so the traceback is printed redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def redact_logs(*secrets: str) -> TokenFilter:
    """Install the filter on every handler of the root logger (once) and add `secrets`."""
    handlers = logging.getLogger().handlers
    found = next(
        (f for h in handlers for f in h.filters if isinstance(f, TokenFilter)), TokenFilter()
    )
    for handler in handlers:
        if found not in handler.filters:
            handler.addFilter(found)
    found.secrets.update(s for s in secrets if s)
    return found
