"""Who may do what: the one place that decides.

A person's role comes from the staff record linked to their Telegram account (its level),
or is `resident` when there is none. Authority is hierarchical: staff act on the subtree of
the units they hold and nothing else (a county cadre, `l0`, on the whole county).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.units import Level, Staff, Unit


class Role(StrEnum):
    """What a person is to the bot."""

    RESIDENT = "resident"
    L4 = "l4"
    L3 = "l3"
    L2 = "l2"
    L1 = "l1"
    L0 = "l0"  # county cadre


ROLE_OF_LEVEL = {
    Level.MICRO_GRID: Role.L4,
    Level.GRID: Role.L3,
    Level.VILLAGE: Role.L2,
    Level.TOWN: Role.L1,
    Level.COUNTY: Role.L0,
}
STAFF = frozenset({Role.L4, Role.L3, Role.L2, Role.L1, Role.L0})
CADRES = frozenset({Role.L2, Role.L1, Role.L0})
# Town cadres and above: the town-wide and county-wide powers (export with personal data).
TOWN_CADRES = frozenset({Role.L1, Role.L0})
WORKERS = frozenset({Role.L4, Role.L3})


class Action(StrEnum):
    """Everything that needs a permission check."""

    BIND_GROUP = "bind_group"
    INVITE = "invite"
    REPORT = "report"
    HANDLE_REPORT = "handle_report"
    TASKS = "tasks"
    VISIT = "visit"
    CONTACT = "contact"
    CHECKIN = "checkin"
    APPROVE_LINK = "approve_link"
    DIGEST = "digest"
    BOARD = "board"
    ANNOUNCE = "announce"
    EXPORT = "export"
    ASSESS = "assess"
    HANDLE_PENSION = "handle_pension"
    SUPERVISE = "supervise"
    ME_TOO = "me_too"  # 我也遇到 on another resident's report
    RATE_REPORT = "rate_report"  # answer the satisfaction call-back
    FOR_HOUSEHOLD = "for_household"  # 代报 / 代填: file or answer for a household


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.BIND_GROUP: STAFF,
    Action.INVITE: CADRES,
    Action.REPORT: frozenset(Role),
    Action.HANDLE_REPORT: STAFF,
    Action.TASKS: STAFF,
    Action.VISIT: WORKERS,
    Action.CONTACT: WORKERS,
    Action.CHECKIN: STAFF,
    Action.APPROVE_LINK: STAFF,
    Action.DIGEST: frozenset({Role.L3, Role.L2, Role.L1, Role.L0}),
    Action.BOARD: STAFF,
    Action.ANNOUNCE: CADRES,
    Action.EXPORT: TOWN_CADRES,
    Action.ASSESS: CADRES,
    Action.HANDLE_PENSION: STAFF,
    Action.SUPERVISE: CADRES,
    # Residents speak for themselves; a worker records a household's answer through
    # HANDLE_REPORT on the report's micro-grid.
    Action.ME_TOO: frozenset({Role.RESIDENT}),
    Action.RATE_REPORT: frozenset({Role.RESIDENT}),
    # The household's own workers (L4, and L3 above it), like visits: cadres do not.
    Action.FOR_HOUSEHOLD: WORKERS,
}


class Actor(BaseModel):
    """A Telegram user as the rules see them: their staff record and the units they hold."""

    model_config = ConfigDict(frozen=True)

    tg_user_id: int
    staff: Staff | None = None
    units: tuple[Unit, ...] = ()

    @property
    def role(self) -> Role:
        """The person's role."""
        return Role.RESIDENT if self.staff is None else ROLE_OF_LEVEL[self.staff.level]

    @property
    def level(self) -> Level | None:
        """The level of the person's staff record (None: a resident)."""
        return None if self.staff is None else self.staff.level

    @property
    def is_staff(self) -> bool:
        """Whether the person is linked to an active staff record."""
        return self.staff is not None

    def covers(self, unit: Unit) -> bool:
        """Whether `unit` lies in the subtree of a unit this person holds."""
        return any(held.contains(unit) for held in self.units)

    def covers_all(self, units: list[Unit] | tuple[Unit, ...]) -> bool:
        """Whether every one of `units` lies in this person's subtree."""
        return bool(units) and all(self.covers(u) for u in units)


def may(actor: Actor, action: Action, unit: Unit | None = None) -> bool:
    """Whether `actor` may do `action` (on `unit`, when the action concerns one)."""
    if actor.role not in ALLOWED[action]:
        return False
    if unit is None or actor.role is Role.RESIDENT:
        return True
    return actor.covers(unit)


def sees_village(actor: Actor, village: Unit) -> bool:
    """Staff see the board of every village their units lie in or cover."""
    return actor.is_staff and any(
        held.contains(village) or village.contains(held) for held in actor.units
    )
