"""How the assessment reads in chat, and its spreadsheet."""

from __future__ import annotations

from bot.texts import Lang
from models.assessment import Ranked, UnitRanking, WorkerFigures, score
from services.assessment import Assessment
from services.sheets import Sheet

SUMMARY_EACH = 3  # best and last shown per unit in the summary


def percent(t: Lang, value: float | None) -> str:
    """A share as a whole percentage, or a dash when unknown."""
    return t("assessment.none") if value is None else f"{value:.0%}"


def _line(t: Lang, place: int | None, points: float | None, w: WorkerFigures) -> str:
    head = t("assessment.place", n=place) if place is not None else t("assessment.bullet")
    return t(
        "assessment.line",
        head=head,
        name=w.name,
        units=w.unit_names,
        score=percent(t, points),
        contact=percent(t, w.contact_share),
        visit=percent(t, w.visit_share),
        in_time=f"{w.accepted_in_time}/{w.accepted_judged}",
        on_spot=f"{w.on_spot}/{w.resolved}",
        reopened=w.reopened,
        confirmed=w.confirmed,
        satisfaction=percent(t, w.satisfaction_share),
        rated=f"{w.satisfaction.content}/{w.satisfaction.answered}",
    )


def _group_name(found: Assessment, ranking: UnitRanking) -> str:
    unit = found.groups.get(ranking.group_id)
    return unit.name if unit is not None else str(ranking.group_id)


def _head(t: Lang, found: Assessment) -> list[str]:
    return [
        t("assessment.title", unit=found.unit.name, month=found.span.key),
        t("assessment.rule", n=found.min_reports),
        t("assessment.legend"),
    ]


def _ordered(found: Assessment) -> list[UnitRanking]:
    return sorted(found.rankings.values(), key=lambda r: _group_name(found, r))


def render_assessment(t: Lang, found: Assessment) -> str:
    """Every worker, ranked within each unit."""
    lines = _head(t, found)
    if not found.workers:
        lines.append(t("assessment.nobody"))
    for ranking in _ordered(found):
        lines += ["", t("assessment.group", name=_group_name(found, ranking))]
        lines += [_line(t, r.place, r.score, r.worker) for r in ranking.ranked]
        if ranking.too_few:
            lines.append(t("assessment.too_few_title", n=found.min_reports))
            lines += [_line(t, None, score(w, judge_reports=False), w) for w in ranking.too_few]
    return "\n".join(lines)


def render_summary(t: Lang, found: Assessment) -> str:
    """The best and the last few of each unit; the rest is in the spreadsheet."""
    lines = [*_head(t, found), t("assessment.summary_note")]
    for ranking in _ordered(found):
        lines += [
            "",
            t(
                "assessment.group_counts",
                name=_group_name(found, ranking),
                ranked=len(ranking.ranked),
                too_few=len(ranking.too_few),
            ),
        ]
        shown: list[Ranked] = ranking.ranked[:SUMMARY_EACH]
        tail = [r for r in ranking.ranked[-SUMMARY_EACH:] if r not in shown]
        lines += [_line(t, r.place, r.score, r.worker) for r in shown]
        if tail:
            lines.append(t("assessment.ellipsis"))
            lines += [_line(t, r.place, r.score, r.worker) for r in tail]
    return "\n".join(lines)


def assessment_sheet(t: Lang, found: Assessment) -> Sheet:
    """Every worker as a spreadsheet row."""
    keys = (
        "unit",
        "place",
        "code",
        "name",
        "units",
        "score",
        "contact",
        "visit",
        "handled",
        "accepted_judged",
        "accepted_in_time",
        "resolved",
        "on_spot",
        "reopened",
        "confirmed",
        "satisfaction",
        "rated",
        "rated_content",
        "judged",
    )
    kinds = [
        "text",
        "int",
        "text",
        "text",
        "text",
        "percent",
        "percent",
        "percent",
        "int",
        "int",
        "int",
        "int",
        "int",
        "int",
        "int",
        "percent",
        "int",
        "int",
        "text",
    ]
    sheet = Sheet(t("assessment.sheet"), [t(f"assessment.col_{k}") for k in keys], kinds)
    for ranking in _ordered(found):
        group = _group_name(found, ranking)
        entries = [(r.place, r.score, r.worker, True) for r in ranking.ranked] + [
            (None, score(w, judge_reports=False), w, False) for w in ranking.too_few
        ]
        for place, points, w, judged in entries:
            sheet.rows.append(
                (
                    group,
                    place,
                    w.code,
                    w.name,
                    w.unit_names,
                    points,
                    w.contact_share,
                    w.visit_share,
                    w.handled,
                    w.accepted_judged,
                    w.accepted_in_time,
                    w.resolved,
                    w.on_spot,
                    w.reopened,
                    w.confirmed,
                    w.satisfaction_share,
                    w.satisfaction.answered,
                    w.satisfaction.content,
                    t("assessment.yes") if judged else t("assessment.too_few_mark"),
                )
            )
    return sheet
