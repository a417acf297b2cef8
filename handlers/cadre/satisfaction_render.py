"""How the digest shows the satisfaction call-back: the unit's sentence in the town's shape,
the rate per sub-unit and per worker, and the reports waiting for supervision (待督办)."""

from __future__ import annotations

from bot.texts import Html, Lang
from models.satisfaction import Tally
from services.digest import Digest

SHOWN = 10  # sub-units, workers and report numbers named at most


def rate(t: Lang, tally: Tally) -> str:
    """(满意 + 基本满意) / answered as a whole percentage, or a dash."""
    found = tally.rate
    return t("digest.no_rate") if found is None else f"{found:.0%}"


def _item(t: Lang, name: str, tally: Tally) -> str:
    return t(
        "satisfaction.digest_item",
        name=name,
        rate=rate(t, tally),
        content=tally.content,
        answered=tally.answered,
    )


def _items(t: Lang, named: list[tuple[str, Tally]]) -> Html:
    items = [_item(t, name, tally) for name, tally in named[:SHOWN]]
    more = t("digest.behind_more", n=len(named) - SHOWN) if len(named) > SHOWN else ""
    return Html(t("digest.item_sep").join(items) + more)


def digest_lines(t: Lang, digest: Digest) -> list[str]:
    """The call-back's lines of a digest (nothing when nobody answered and nothing waits)."""
    found = digest.extras.satisfaction
    lines = []
    if found.supervision_wanted:
        numbers = [f"#{n}" for n in found.supervision_wanted]
        more = "…" if len(numbers) > SHOWN else ""
        shown = t("digest.s_item_sep").join(numbers[:SHOWN]) + more
        lines.append(t("satisfaction.digest_supervision", n=len(numbers), numbers=shown))
    tally = found.period
    if not tally.answered:
        return lines
    lines.append(
        t(
            "satisfaction.digest_sentence",
            answered=tally.answered,
            satisfied=tally.satisfied,
            fair=tally.fair,
            dissatisfied=tally.dissatisfied,
            rate=rate(t, tally),
        )
    )
    names = {u.id: u.name for u in digest.sub_units}
    subs = [(names.get(i, str(i)), found.by_sub[i]) for i in sorted(found.by_sub)]
    if len(digest.sub_units) > 1 and subs:
        lines.append(t("satisfaction.digest_subs", items=_items(t, subs)))
    if found.by_worker:
        lines.append(t("satisfaction.digest_workers", items=_items(t, found.by_worker)))
    return lines
