"""Digests within Telegram's limits, and the chart: a PNG of sane size with Chinese glyphs."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

from fontTools.ttLib import TTFont

from bot.config import Config
from bot.texts import Texts
from handlers.cadre.chart import chinese_font, draw_chart
from handlers.cadre.digest_render import chart_data, render_digest, town_sentence
from models.digest import SpanKind, report_figures, span_containing
from models.reports import Status
from models.text_limits import MAX_TEXT, split_html, utf16_len
from models.units import Level, Unit
from services.digest import Digest
from tests.builders import count

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
CONFIG = Config()


def _digest(subs: int) -> Digest:
    town = Unit(
        id=1,
        code="T",
        name="大屯营镇",
        level=Level.TOWN,
        parent_id=None,
        ancestors=(1, None, None, None),
    )
    units = [
        Unit(
            id=10 + i,
            code=f"V{i:03d}",
            name=f"第{i}号村民小组（测试用很长的名字）",
            level=Level.VILLAGE,
            parent_id=1,
            ancestors=(1, 10 + i, None, None),
        )
        for i in range(subs)
    ]
    rows = [
        count(
            u.id,
            code,
            status,
            on_spot=on_spot,
            overdue=i % 3 == 0,
            total=5 + i % 7,
            in_period=i % 4,
        )
        for i, u in enumerate(units)
        for code in ("infrastructure", "policy")
        for status, on_spot in ((Status.CLOSED, True), (Status.ACCEPTED, False))
    ]
    return Digest(
        unit=town,
        sub_units=units,
        span=span_containing(SpanKind.WEEK, NOW, CONFIG.tz),
        reports=report_figures(rows, [u.id for u in units]),
        at=NOW,
    )


def test_a_long_digest_splits_at_line_boundaries():
    text = render_digest(Texts().lang("zh"), CONFIG, _digest(300))
    assert utf16_len(text) > 3 * MAX_TEXT
    parts = split_html(text)
    assert len(parts) >= 4
    assert all(utf16_len(p) <= MAX_TEXT for p in parts)
    lines = [line for line in text.split("\n") if line.strip()]
    assert [line for p in parts for line in p.split("\n") if line.strip()] == lines


def test_split_keeps_short_text_whole_and_cuts_only_an_impossible_line():
    assert split_html("a\nb") == ["a\nb"]
    parts = split_html("x" * 10 + "\n" + "中" * 5000, limit=4096)
    assert parts[0] == "x" * 10 and all(utf16_len(p) <= 4096 for p in parts)
    emoji = "📊" * 3000  # two UTF-16 units each
    assert all(utf16_len(p) <= 4096 for p in split_html(emoji))


def test_chart_is_a_png_of_sane_size_with_every_glyph_in_the_font():
    data = chart_data(Texts().lang("zh"), CONFIG, _digest(7))
    png = draw_chart(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert 600 <= width <= 1200 and 400 <= height <= 3000
    assert 10_000 < len(png) < 1_000_000
    # No tofu: the font has a glyph for every character drawn.
    font = TTFont(chinese_font().get_file())
    cmap = font.getBestCmap()
    drawn = data.title + "".join(data.statuses) + data.units_title + data.categories_title
    drawn += "".join(name for name, _ in data.units + data.categories) + data.count_label
    missing = {c for c in drawn if not c.isspace() and ord(c) not in cmap}
    assert not missing


def test_problems_collected_on_visits_are_counted_apart() -> None:
    t = Texts().lang("zh")
    rows = [
        count(11, "infrastructure", Status.CLOSED, on_spot=True, total=6, on_visits=2),
        count(
            11, "policy", Status.ACCEPTED, total=3, in_period=3, on_visits=1, on_visits_in_period=1
        ),
        count(12, "policy", Status.NEW, total=1, in_period=1),
    ]
    figures = report_figures(rows, [11, 12])
    # By hand: 10 collected, 3 of them on visits (all in sub-unit 11), 1 in this period.
    assert (figures.total.collected, figures.total.on_visits) == (10, 3)
    assert (figures.period.collected, figures.period.on_visits) == (4, 1)
    assert (figures.sub_total[11].on_visits, figures.sub_total[12].on_visits) == (3, 0)
    assert town_sentence(t, figures.total, {}).startswith(
        "共收集问题10个（其中走访收集3个），就地解决6个，4个正在处理。"
    )
    # None collected on visits: the town's sentence as before, without the aside.
    assert "走访" not in town_sentence(t, figures.sub_total[12], {})
