"""Contacts, visits and check-ins: what can be logged and what each one fulfils."""

from __future__ import annotations

import math
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.units import Unit


class LogKind(StrEnum):
    """What a worker logs."""

    CONTACT = "contact"
    VISIT = "visit"


class Outcome(StrEnum):
    """How a contact happened, or how a visit went."""

    PHONE = "phone"
    MESSAGE = "message"
    IN_PERSON = "in_person"
    MET = "met"
    NOT_HOME = "not_home"


OUTCOMES: dict[LogKind, tuple[Outcome, ...]] = {
    LogKind.CONTACT: (Outcome.PHONE, Outcome.MESSAGE, Outcome.IN_PERSON),
    LogKind.VISIT: (Outcome.MET, Outcome.NOT_HOME),
}


def fulfils(kind: LogKind, outcome: Outcome) -> tuple[bool, bool]:
    """(counts as the month's contact, counts as the quarter's visit).

    A visit where the household was met is also that month's contact; a visit where nobody
    was at home is kept as a record of the attempt but fulfils neither.
    """
    if outcome not in OUTCOMES[kind]:
        raise ValueError(f"{outcome} is not an outcome of a {kind}")
    if kind is LogKind.VISIT:
        met = outcome is Outcome.MET
        return met, met
    return True, False


class Household(BaseModel):
    """A household as a worker's lists show it (no phone)."""

    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    head_name: str
    address: str
    micro_grid_id: int
    micro_grid_name: str = ""
    # Whether anyone of it has linked a Telegram account; without one ("no phone") the worker
    # collects in person: nothing reaches the household through the bot.
    linked: bool = True


_EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(a))


class Placement(BaseModel):
    """Where a check-in lies relative to the staff member's units."""

    model_config = ConfigDict(frozen=True)

    unit_id: int | None
    distance_m: float | None
    flagged: bool


def place_checkin(
    units: list[Unit] | tuple[Unit, ...], lat: float, lon: float, tolerance_m: float
) -> Placement:
    """The nearest held unit with a recorded area; flagged when outside all of them by more
    than `tolerance_m`. Units without an area never flag (nothing to compare with)."""
    best: tuple[float, Unit] | None = None
    outside = True
    for unit in units:
        if unit.center_lat is None or unit.center_lon is None or unit.radius_m is None:
            continue
        away = distance_m(lat, lon, unit.center_lat, unit.center_lon)
        if away <= unit.radius_m + tolerance_m:
            outside = False
        if best is None or away < best[0]:
            best = (away, unit)
    if best is None:
        first = units[0].id if units else None
        return Placement(unit_id=first, distance_m=None, flagged=False)
    return Placement(unit_id=best[1].id, distance_m=round(best[0], 1), flagged=outside)


def mask_address(address: str) -> str:
    """An address with its second half hidden, so neighbours can't read it in the group."""
    text = address.strip()
    if len(text) <= 1:
        return "*" if text else ""
    keep = (len(text) + 1) // 2
    return text[:keep] + "*" * min(3, len(text) - keep)
