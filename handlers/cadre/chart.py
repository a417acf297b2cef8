"""The weekly digest's chart: reports by status per sub-unit and by category, and compliance.

Drawn with matplotlib's object API on the Agg backend (no pyplot state, safe in a worker
thread) with a font that has Chinese glyphs; call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

COLORS = ("#2e7d32", "#1565c0", "#f9a825", "#c62828", "#9e9e9e")


@dataclass
class ChartData:
    """Everything drawn, already translated: bars are (label, [count per status])."""

    title: str
    statuses: list[str]
    units_title: str
    units: list[tuple[str, list[int]]]
    categories_title: str
    categories: list[tuple[str, list[int]]]
    count_label: str
    compliance_title: str = ""
    rate_labels: tuple[str, str] = ("", "")
    rates: list[tuple[str, float | None, float | None]] = field(default_factory=list)


@lru_cache(maxsize=4)
def chinese_font(path: str = "") -> FontProperties:
    """The font for Chinese text: `path`, or the Noto Sans SC shipped as a dependency."""
    if not path:
        import pylopdf_fonts_zh_cn

        path = str(pylopdf_fonts_zh_cn.sans_path())
    if not Path(path).is_file():
        raise FileNotFoundError(f"chart font not found: {path}")
    font_manager.fontManager.addfont(path)
    return FontProperties(fname=path)


def _stacked(
    ax: Axes,
    font: FontProperties,
    title: str,
    rows: list[tuple[str, list[int]]],
    statuses: list[str],
    count_label: str,
    legend: bool,
) -> None:
    ax.set_title(title, fontproperties=font, fontsize=12)
    if not rows:
        ax.text(0.5, 0.5, "0", ha="center", va="center", fontproperties=font)
        ax.set_axis_off()
        return
    names = [name for name, _ in rows][::-1]
    values = [counts for _, counts in rows][::-1]
    left = [0] * len(rows)
    for index, status in enumerate(statuses):
        widths = [v[index] for v in values]
        ax.barh(names, widths, left=left, color=COLORS[index % len(COLORS)], label=status)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlabel(count_label, fontproperties=font)
    for label in ax.get_yticklabels():
        label.set_fontproperties(font)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(1, *left) * 1.05)
    if legend:  # one legend for both panels: they share the colours
        _legend(ax, font, len(statuses))


def _legend(ax: Axes, font: FontProperties, columns: int) -> None:
    # Below the axis, so it never hides a bar.
    font = font.copy()
    font.set_size(9)
    ax.legend(
        prop=font, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=columns, frameon=False
    )


def _rates(ax: Axes, font: FontProperties, data: ChartData) -> None:
    ax.set_title(data.compliance_title, fontproperties=font, fontsize=12)
    names = [name for name, _, _ in data.rates][::-1]
    positions = list(range(len(names)))
    contact = [100 * (c or 0) for _, c, _ in data.rates][::-1]
    visit = [100 * (v or 0) for _, _, v in data.rates][::-1]
    ax.barh(
        [p + 0.2 for p in positions],
        contact,
        height=0.4,
        color=COLORS[1],
        label=data.rate_labels[0],
    )
    ax.barh(
        [p - 0.2 for p in positions], visit, height=0.4, color=COLORS[0], label=data.rate_labels[1]
    )
    ax.set_yticks(positions, names)
    for label in ax.get_yticklabels():
        label.set_fontproperties(font)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    _legend(ax, font, 2)


def draw_chart(data: ChartData, font_path: str = "") -> bytes:
    """The chart as PNG bytes."""
    font = chinese_font(font_path)
    panels = 3 if data.rates else 2
    tall = max(len(data.units), len(data.categories), len(data.rates), 4)
    figure = Figure(
        figsize=(7.5, 1.5 + panels * (1.3 + 0.32 * tall)), dpi=110, layout="constrained"
    )
    FigureCanvasAgg(figure)
    axes = figure.subplots(panels, 1)
    figure.suptitle(data.title, fontproperties=font, fontsize=14)
    _stacked(
        axes[0], font, data.units_title, data.units, data.statuses, data.count_label, legend=True
    )
    _stacked(
        axes[1],
        font,
        data.categories_title,
        data.categories,
        data.statuses,
        data.count_label,
        legend=False,
    )
    if data.rates:
        _rates(axes[2], font, data)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
