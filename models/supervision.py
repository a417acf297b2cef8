"""Supervision (督办) and urging (催办): the pure rules of when each is allowed."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.reports import IN_PROGRESS, Status

# The history's names of the steps (case_events.action).
SUPERVISE = "supervise"
ANSWER = "supervise_answer"
LAPSED = "supervise_overdue"
URGE = "urge"
ACTIONS = (SUPERVISE, ANSWER, LAPSED, URGE)
# Steps whose note is between staff (the instruction, the progress answer): a resident
# reading the report's history sees that they happened, not what they said.
STAFF_ONLY_NOTES = frozenset({SUPERVISE, ANSWER})


def supervisable(status: Status, wanted: bool = False) -> bool:
    """Whether a report can be supervised: while the grid works on it (a resolved report
    waits for the resident, not for a worker), or when it is flagged as wanting supervision
    (待督办: the residents stayed dissatisfied, whatever its status)."""
    return status in IN_PROGRESS or wanted


def urge_not_before(opens_at: datetime, last_urge: datetime | None, every: timedelta) -> datetime:
    """The earliest time the reporter may urge: once the accept deadline has passed, and
    `every` after the last urging."""
    if last_urge is None:
        return opens_at
    return max(opens_at, last_urge + every)
