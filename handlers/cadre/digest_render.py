"""How a digest reads: the town's sentence, categories, sub-units, then the other figures."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.texts import Html, Lang
from handlers.cadre import extras_render
from handlers.cadre.chart import ChartData
from models.digest import Span, SpanKind, Tally
from services.digest import Digest


def category_labels(config: Config, t: Lang) -> dict[str, str]:
    """Every configured category's name in the reader's language, in configured order."""
    return {c.code: c.label(t.code) for c in config.categories}


def _label(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)


def _ordered(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    known = [(code, counts[code]) for code in labels if counts.get(code)]
    extra = sorted((code, n) for code, n in counts.items() if code not in labels and n)
    return known + extra


def town_sentence(t: Lang, tally: Tally, labels: dict[str, str]) -> str:
    """The figures in the town's shape: 共收集问题178个，就地解决160个，18个正在处理。其中…"""
    collected = t("digest.s_collected", n=tally.collected)
    if tally.on_visits:
        collected += t("onbehalf.s_on_visits", n=tally.on_visits)
    parts = [collected, t("digest.s_on_spot", n=tally.on_spot)]
    if tally.after_escalation:
        parts.append(t("digest.s_after_escalation", n=tally.after_escalation))
    if tally.withdrawn:
        parts.append(t("digest.s_withdrawn", n=tally.withdrawn))
    parts.append(t("digest.s_in_progress", n=tally.in_progress))
    sentence = t("digest.s_join").join(parts) + t("digest.s_end")
    items = [
        t("digest.s_item", label=_label(labels, code), n=n)
        for code, n in _ordered(tally.in_progress_by_category, labels)
    ]
    if items:
        sentence += t("digest.s_of_which", items=Html(t("digest.s_item_sep").join(items)))
    return sentence.strip()


def span_label(t: Lang, span: Span, tz: ZoneInfo) -> str:
    """The dates a digest covers, in the town's calendar."""
    start = span.start.astimezone(tz).date()
    last = (span.end - timedelta(seconds=1)).astimezone(tz).date()
    if span.kind is SpanKind.DAY or start == last:
        return t("digest.span_day", start=start.isoformat())
    return t("digest.span_range", start=start.isoformat(), end=last.isoformat())


def _sub_line(t: Lang, name: str, period: Tally, total: Tally) -> str:
    tail = t("digest.sub_late", n=total.overdue) if total.overdue else ""
    if total.on_visits:
        tail = t("onbehalf.sub_on_visits", n=total.on_visits) + tail
    return t(
        "digest.sub_line",
        name=name,
        period=period.collected,
        total=total.collected,
        on_spot=total.on_spot,
        after=total.after_escalation,
        progress=total.in_progress,
        late=Html(tail),
    )


def render_digest(t: Lang, config: Config, digest: Digest) -> str:
    """The whole digest as one text (split by `models.text_limits.split_html` to send it)."""
    tz = config.tz
    labels = category_labels(config, t)
    figures = digest.reports
    lines = [
        t(f"digest.title_{digest.span.kind.value}", unit=digest.unit.name),
        span_label(t, digest.span, tz),
        t("digest.generated", when=digest.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")),
        "",
    ]
    if figures.total.collected == 0:
        lines.append(t("digest.nothing"))
    else:
        lines.append(
            t("digest.this_period", sentence=Html(town_sentence(t, figures.period, labels)))
        )
        lines.append(t("digest.in_total", sentence=Html(town_sentence(t, figures.total, labels))))
        if figures.total.overdue:
            lines.append(t("digest.overdue", n=figures.total.overdue))
        by_category = _ordered(figures.period.collected_by_category, labels)
        if by_category:
            items = t("digest.category_sep").join(
                t("digest.category_item", label=_label(labels, code), n=n)
                for code, n in by_category
            )
            lines.append(t("digest.categories", items=Html(items)))
        lines += _sub_lines(t, digest)
    extra = extras_render.render(t, config, digest)
    if extra:
        lines += ["", *extra]
    return "\n".join(lines)


def _sub_lines(t: Lang, digest: Digest) -> list[str]:
    figures = digest.reports
    if not digest.sub_units or digest.sub_units == [digest.unit]:
        return []
    level = int(digest.sub_units[0].level)
    lines = ["", t(f"digest.subs_l{level}")]
    quiet = 0
    for unit in digest.sub_units:
        total = figures.sub_total.get(unit.id, Tally())
        period = figures.sub_period.get(unit.id, Tally())
        if total.collected == 0:
            quiet += 1
            continue
        lines.append(_sub_line(t, unit.name, period, total))
    if quiet:
        lines.append(t("digest.more_subs", n=quiet))
    return lines


def _states(tally: Tally) -> list[int]:
    return [
        tally.on_spot,
        tally.after_escalation,
        tally.in_progress - tally.overdue,
        tally.overdue,
        tally.withdrawn,
    ]


def chart_data(t: Lang, config: Config, digest: Digest) -> ChartData:
    """What the weekly chart draws, translated."""
    labels = category_labels(config, t)
    figures = digest.reports
    units = [(u.name, _states(figures.sub_total.get(u.id, Tally()))) for u in digest.sub_units]
    categories = [
        (_label(labels, code), _states(figures.category_period.get(code, Tally())))
        for code in [*labels, *sorted(set(figures.category_period) - set(labels))]
    ]
    data = ChartData(
        title=t(
            "digest.chart_caption",
            unit=digest.unit.name,
            span=span_label(t, digest.span, config.tz),
        ),
        statuses=[
            t(f"digest.chart_{key}")
            for key in ("on_spot", "after", "progress", "overdue", "withdrawn")
        ],
        units_title=t("digest.chart_reports_title"),
        units=units,
        categories_title=t("digest.chart_categories_title"),
        categories=categories,
        count_label=t("digest.chart_count"),
    )
    rates = extras_render.sub_rates(digest)
    if rates:
        data.compliance_title = t("digest.chart_compliance_title")
        data.rate_labels = (t("digest.chart_contact"), t("digest.chart_visit"))
        data.rates = rates
    return data
