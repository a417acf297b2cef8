"""What reminders there are, the period each lasts for, and how the ledger names them."""

from __future__ import annotations

from enum import StrEnum

from models.periods import PeriodKind

# Reminders are recorded in the send ledger as 'reminder:<kind>'.
FAMILY = "reminder"


class ReminderKind(StrEnum):
    """What a reminder is about."""

    MONTHLY_CONTACT = "monthly_contact"
    QUARTERLY_VISIT = "quarterly_visit"
    WEEKLY_CHECKIN = "weekly_checkin"
    PENSION = "pension"

    @property
    def ledger_kind(self) -> str:
        """The kind of its rows in the send ledger."""
        return f"{FAMILY}:{self.value}"

    @classmethod
    def of_ledger(cls, kind: str) -> ReminderKind:
        """The reminder kind of a ledger row's kind."""
        return cls(kind.removeprefix(f"{FAMILY}:"))


PERIOD_OF_KIND = {
    ReminderKind.MONTHLY_CONTACT: PeriodKind.MONTH,
    ReminderKind.QUARTERLY_VISIT: PeriodKind.QUARTER,
    ReminderKind.WEEKLY_CHECKIN: PeriodKind.WEEK,
    ReminderKind.PENSION: PeriodKind.MONTH,
}
