"""Cuts and splits counted in UTF-16 units of the visible text, as Telegram counts."""

from __future__ import annotations

import pytest

from models.text_limits import shorten, shorten_html, split_html, utf16_len, visible_len
from sandbox.html import parse_html


def test_lengths_count_utf16_units_of_what_is_seen() -> None:
    assert utf16_len("长😀𠀀") == 5
    assert visible_len("<b>长</b> &amp; <a href='https://x.cn'>😀</a>") == 6


def test_lines_stay_whole_and_parts_fit() -> None:
    assert split_html("a\nb\nc", 3) == ["a\nb", "c"]
    text = "\n".join(f"第{i}行" + "😀" * 5 for i in range(300))
    parts = split_html(text, 100)
    assert all(visible_len(p) <= 100 for p in parts)
    assert "\n".join(parts) == text


@pytest.mark.parametrize("char", ["😀", "𠀀", "长", "&amp;", "a"])
def test_a_long_line_is_cut_between_characters(char: str) -> None:
    line = char * 5000
    parts = split_html(line, 4096)
    assert all(visible_len(p) <= 4096 for p in parts)
    assert "".join(parts) == line
    for part in parts:  # no half surrogate pair, no half entity
        part.encode("utf-8")
        assert part.count("&") == part.count(";")


def test_tags_open_at_a_cut_are_closed_and_opened_again() -> None:
    parts = split_html("<b>ab\ncd</b>\nef", 4)
    assert parts == ["<b>ab</b>", "<b>cd</b>", "ef"]
    parts = split_html("<i><a href='https://x.cn'>" + "长" * 10 + "</a></i>", 4)
    assert parts[0] == "<i><a href='https://x.cn'>长长长长</a></i>"
    assert parts[1].startswith("<i><a href='https://x.cn'>")
    for part in parts:
        parse_html(part)  # Telegram's parser accepts every part


def test_shorten_plain_and_html() -> None:
    assert shorten("abc", 3) == "abc"
    assert shorten("😀😀😀", 5) == "😀😀…" and utf16_len(shorten("😀😀😀", 4)) <= 4
    assert shorten_html("<b>abc &amp; def</b>", 6) == "<b>abc &amp;…</b>"
    cut = shorten_html("<b>" + "😀" * 600 + "</b>", 1024)
    assert visible_len(cut) <= 1024 and cut.endswith("…</b>")
    parse_html(cut)
