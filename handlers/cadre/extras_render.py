"""How the digest shows figures from other features (compliance, pension, sends, survey)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Config
from bot.texts import Html, Lang
from handlers.cadre import satisfaction_render
from handlers.reports.supervision_render import digest_lines
from models.compliance import Compliance, Rate
from services.digest import Digest
from services.ledger import Run

BEHIND_UNITS = 5
BEHIND_WORKERS = 10
FAILED_NAMES = 5
# The town's four senses first, in the order it names them; other ratings after.
SURVEY_ORDER = ("satisfaction", "happiness", "gain", "security")


def _percent(t: Lang, rate: Rate) -> str:
    share = rate.share
    return t("digest.no_rate") if share is None else f"{share:.0%}"


def _compliance(t: Lang, found: Compliance, names: dict[int, str]) -> list[str]:
    lines = [
        t("digest.compliance_title"),
        t(
            "digest.contact_rate",
            done=found.contacts.done,
            total=found.contacts.total,
            rate=_percent(t, found.contacts),
        ),
        t(
            "digest.visit_rate",
            done=found.visits.done,
            total=found.visits.total,
            rate=_percent(t, found.visits),
        ),
    ]
    if found.checkins:
        lines.append(
            t("digest.checkin_rate", done=found.checked_in.done, total=found.checked_in.total)
        )
    behind_units = sorted(
        (u for u in found.by_unit if u.contacts.missing or u.visits.missing),
        key=lambda u: (u.contacts.share or 0, u.visits.share or 0, u.code),
    )
    sep = t("digest.item_sep")
    if behind_units:
        items = sep.join(
            t(
                "digest.behind_sub_item",
                name=u.name,
                contact=_percent(t, u.contacts),
                visit=_percent(t, u.visits),
            )
            for u in behind_units[:BEHIND_UNITS]
        )
        lines.append(t("digest.behind_subs", items=Html(items)))
    behind = sorted(
        (w for w in found.by_worker if w.contacts.missing or w.visits.missing),
        key=lambda w: (w.contacts.share or 0, w.visits.share or 0, w.code),
    )
    if behind:
        items = sep.join(
            t(
                "digest.behind_worker_item",
                name=w.name,
                unit="、".join(names.get(i, str(i)) for i in w.unit_ids),
                contact=f"{w.contacts.done}/{w.contacts.total}",
                visit=f"{w.visits.done}/{w.visits.total}",
            )
            for w in behind[:BEHIND_WORKERS]
        )
        count = len(behind) if found.workers_behind is None else found.workers_behind
        if count > BEHIND_WORKERS:
            items += t("digest.behind_more", n=count - BEHIND_WORKERS)
        lines.append(t("digest.behind_workers", items=Html(items)))
    return lines


def survey_label(t: Lang, question_id: str) -> str:
    """A short name for a rating question (the default ones have one in the catalog)."""
    key = f"digest.survey_{question_id}"
    catalog = t.texts.catalogs.get(t.code) or {}
    return t(key) if key in catalog else question_id


def _survey_position(item: tuple[str, float]) -> tuple[int, str]:
    qid = item[0]
    return (SURVEY_ORDER.index(qid) if qid in SURVEY_ORDER else len(SURVEY_ORDER), qid)


def render(t: Lang, config: Config, digest: Digest) -> list[str]:
    """Lines for every extra figure the digest carries."""
    extras = digest.extras
    lines: list[str] = []
    lines += satisfaction_render.digest_lines(t, digest)
    if extras.compliance is not None:
        lines += _compliance(t, extras.compliance, extras.unit_names)
    if extras.pension is not None and extras.pension.open:
        late = t("digest.pension_late", n=extras.pension.overdue) if extras.pension.overdue else ""
        lines.append(t("digest.pension_open", n=extras.pension.open, late=Html(late)))
    if extras.failed_sends:
        names = sorted({f["name"] for f in extras.failed_sends if f.get("name")})
        shown = "、".join(names[:FAILED_NAMES]) + ("…" if len(names) > FAILED_NAMES else "")
        lines.append(t("digest.failed_sends", n=len(extras.failed_sends), names=shown))
    if extras.failed_notices:
        numbers = extras.failed_notices
        shown = t("digest.s_item_sep").join(numbers[:FAILED_NAMES])
        more = "…" if len(numbers) > FAILED_NAMES else ""
        lines.append(t("digest.failed_notices", n=len(numbers), numbers=shown + more))
    lines += digest_lines(t, extras.supervision)
    if extras.runs:
        lines.append(t("fanout.runs_title"))
        lines += [_run(t, config, run) for run in extras.runs]
    if extras.survey is not None and extras.survey.responses:
        items = t("digest.item_sep").join(
            t("digest.survey_item", label=survey_label(t, qid), score=f"{avg:.1f}")
            for qid, avg in sorted(extras.survey.averages, key=_survey_position)
        )
        lines.append(
            t(
                "digest.survey",
                round=extras.survey.round_code,
                items=Html(items),
                n=extras.survey.responses,
            )
        )
    return lines


def took(t: Lang, seconds: int) -> str:
    """A duration as the digest says it: '38 s', '17 min 40 s', '1 h 5 min'."""
    if seconds < 60:
        return t("fanout.seconds", s=seconds)
    if seconds < 3600:
        return t("fanout.minutes", m=seconds // 60, s=seconds % 60)
    return t("fanout.hours", h=seconds // 3600, m=seconds % 3600 // 60)


def _run(t: Lang, config: Config, run: Run) -> str:
    """One reminder run: what, when it began, how long it took (or that it goes on)."""
    began = datetime.fromtimestamp(run.started_at, UTC).astimezone(config.tz)
    what = t(f"fanout.kind_{run.kind.partition(':')[2]}")
    if run.finished_at is None:
        return t(
            "fanout.run_going",
            what=what,
            began=began.strftime("%m-%d %H:%M"),
            sent=run.sent,
            failed=run.failed,
            left=run.left,
        )
    return t(
        "fanout.run_done",
        what=what,
        began=began.strftime("%m-%d %H:%M"),
        took=took(t, run.finished_at - run.started_at),
        sent=run.sent,
        failed=run.failed,
    )


def sub_rates(digest: Digest) -> list[tuple[str, float | None, float | None]]:
    """(sub-unit name, contact share, visit share) for the chart, when compliance is known."""
    found = digest.extras.compliance
    if found is None:
        return []
    return [(u.name, u.contacts.share, u.visits.share) for u in found.by_unit]
