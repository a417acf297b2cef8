"""The HTML parse mode parser and text formatting helpers."""

from __future__ import annotations

import pytest

from sandbox.entities import detect, entity_text, format_text
from sandbox.errors import ApiError
from sandbox.html import HtmlError, parse_html, utf16_len


def test_plain_tags_and_utf16_offsets() -> None:
    text, entities = parse_html("😀<b>粗</b><i>x<u>y</u></i>")
    assert text == "😀粗xy"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 1},
        {"type": "italic", "offset": 3, "length": 2},
        {"type": "underline", "offset": 4, "length": 1},
    ]
    assert utf16_len(text) == 5


def test_entities_decoding() -> None:
    text, _ = parse_html("&lt;a&gt; &amp; &quot; &#20320;&#x597D;")
    assert text == '<a> & " 你好'


def test_links_code_pre_spoiler_quote() -> None:
    source = (
        '<a href="https://example.com/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre> '
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler> '
        "<blockquote expandable>q</blockquote> <code>c</code> "
        '<a href="tg://user?id=42">you</a>'
    )
    text, entities = parse_html(source)
    assert text == "link x = 1 st q c you"
    by_type = {e["type"]: e for e in entities}
    assert by_type["text_link"]["url"] == "https://example.com/?a=1&b=2"
    assert by_type["pre"]["language"] == "python"
    assert entity_text(text, by_type["pre"]) == "x = 1"
    assert [e["type"] for e in entities].count("spoiler") == 2
    assert "expandable_blockquote" in by_type
    assert "language" not in by_type["code"]
    assert by_type["text_mention"]["user"]["id"] == 42


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("ab <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("价格 & 数量", "Can't find end of the entity starting at byte offset 7"),
        ("1 < 2", "Can't find end of the entity starting at byte offset 2"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_errors(source: str, message: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source)
    assert str(caught.value) == message


def test_lenient_mode_matches_tdlib() -> None:
    assert parse_html("AT&T", strict=False) == ("AT&T", [])
    with pytest.raises(HtmlError, match='Unsupported start tag "" at byte offset 2'):
        parse_html("1 < 2", strict=False)


def test_format_text_trims_and_detects() -> None:
    text, entities = format_text(
        "  <b>hi</b> /start@gridbot_bot #话题 https://a.cn/x. \n", "HTML", None
    )
    assert text == "hi /start@gridbot_bot #话题 https://a.cn/x."
    assert [e["type"] for e in entities] == ["bold", "bot_command", "hashtag", "url"]
    assert entity_text(text, entities[-1]) == "https://a.cn/x"
    with pytest.raises(ApiError, match="can't parse entities"):
        format_text("<x>", "HTML", None)


def test_detect_commands_only_at_word_boundaries() -> None:
    found = detect("/report 路灯 a/b /x@ab")
    assert [(e["offset"], e["length"]) for e in found if e["type"] == "bot_command"] == [(0, 7)]
