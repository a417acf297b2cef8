"""Satisfaction call-back (回访): the three answers, what a dissatisfied one does, and the
satisfaction rate ((满意 + 基本满意) / answered)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Rating(StrEnum):
    """A resident's answer to the call-back."""

    SATISFIED = "satisfied"  # 满意
    FAIR = "fair"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


RATING_CODES = {Rating.SATISFIED: "s", Rating.FAIR: "f", Rating.DISSATISFIED: "d"}
RATINGS_BY_CODE = {code: rating for rating, code in RATING_CODES.items()}
# The reporter's place among those asked; an affected household's is its `who`.
REPORTER = "reporter"


class Outcome(StrEnum):
    """What an answer does to the report."""

    RECORDED = "recorded"
    REOPENED = "reopened"
    SUPERVISION = "supervision"  # past the reopen limit: flagged for supervision instead


def outcome(rating: Rating, reopens: int, limit: int, still_closed: bool) -> Outcome:
    """A dissatisfied answer reopens a closed report, or flags it once it was reopened
    `limit` times; every other answer (or a report already reopened) is only recorded."""
    if rating is not Rating.DISSATISFIED or not still_closed:
        return Outcome.RECORDED
    return Outcome.SUPERVISION if reopens >= limit else Outcome.REOPENED


@dataclass(frozen=True)
class Tally:
    """Answers counted: satisfied, fair, dissatisfied."""

    satisfied: int = 0
    fair: int = 0
    dissatisfied: int = 0

    def plus(self, rating: Rating, count: int = 1) -> Tally:
        """This tally with `count` more answers of `rating`."""
        field = rating.value
        return replace(self, **{field: getattr(self, field) + count})

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.satisfied + other.satisfied,
            self.fair + other.fair,
            self.dissatisfied + other.dissatisfied,
        )

    @property
    def answered(self) -> int:
        """How many answered."""
        return self.satisfied + self.fair + self.dissatisfied

    @property
    def content(self) -> int:
        """满意 + 基本满意."""
        return self.satisfied + self.fair

    @property
    def rate(self) -> float | None:
        """(满意 + 基本满意) / answered; None when nobody answered."""
        return self.content / self.answered if self.answered else None


def who_of(household_id: int | None, tg_user_id: int) -> str:
    """How a resident is counted among the affected: by household, else by person."""
    return f"hh:{household_id}" if household_id is not None else f"tg:{tg_user_id}"
