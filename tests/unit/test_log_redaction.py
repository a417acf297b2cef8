"""The token filter: messages, arguments and tracebacks come out without the token."""

from __future__ import annotations

import io
import logging

from bot.log_redaction import TokenFilter, redact_logs

TOKEN = "4839574812:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_tokens_are_replaced_in_messages_arguments_and_tracebacks() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        found = redact_logs("123:short")
        assert redact_logs() is found and handler.filters.count(found) == 1
        log = logging.getLogger("test.redaction")
        log.error("HTTP Request: POST http://h/bot%s/getUpdates", TOKEN)
        log.error("configured 123:short")
        try:
            raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
        except ValueError:
            log.exception("start-up failed")
    finally:
        root.removeHandler(handler)
    text = out.getvalue()
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in text and "short" not in text
    assert "http://h/bot<redacted>/getUpdates" in text
    assert "The token `<redacted>` was rejected" in text and "Traceback" in text


def test_other_text_is_left_alone() -> None:
    assert TokenFilter().redact("report #12 at 10:30, phone 0731-87654321") == (
        "report #12 at 10:30, phone 0731-87654321"
    )
