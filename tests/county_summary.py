"""The rule a county keeps of each town's compliance, written plainly over a town's full
compliance: the reference `models.compliance_county.summarise_town` (which builds the same
from plain rows) is held equal to in the tests."""

from __future__ import annotations

from models.compliance import Compliance, WorkerFigures


def _behind(worker: WorkerFigures) -> bool:
    return bool(worker.contacts.missing or worker.visits.missing)


def _order(worker: WorkerFigures) -> tuple[float, float, str]:
    """Furthest behind first (as the digest names them)."""
    return (worker.contacts.share or 0, worker.visits.share or 0, worker.code)


def town_summary(found: Compliance, keep: int) -> Compliance:
    """A town's compliance as a county keeps it: no household lists, and only the `keep`
    workers furthest behind and the `keep` furthest ahead (enough to rank the county's
    workers at both ends), with the number behind."""
    workers = sorted(found.by_worker, key=_order)
    extremes = {w.staff_id: w for w in [*workers[:keep], *workers[-keep:]] if keep}
    kept = tuple(
        w.model_copy(update={"due_contact": (), "due_visit": ()})
        for w in sorted(extremes.values(), key=lambda w: w.code)
    )
    return found.model_copy(
        update={
            "by_worker": kept,
            "due_contact": (),
            "due_visit": (),
            "workers_behind": sum(_behind(w) for w in found.by_worker),
        }
    )
