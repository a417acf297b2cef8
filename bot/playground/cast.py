"""Who is in the playground: five people of one micro-grid's line, and the village's groups.

Chosen from any roster: the first micro-grid (by code) with a worker and households whose
grid, village and town each have someone to play.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.units import Level
from services.roster import HouseholdRow, Roster, StaffRow, UnitRow

ROLES = ("resident", "l4", "l3", "l2", "l1")


@dataclass(frozen=True)
class CastPlan:
    """The chosen line of the grid and the staff who play it."""

    micro_grid: UnitRow
    grid: UnitRow
    village: UnitRow
    town: UnitRow
    staff: dict[str, StaffRow]  # role → staff row, for l4 … l1
    resident: HouseholdRow  # the resident plays this household's head
    group_units: tuple[UnitRow, ...]  # the village's micro-grids, each with a group


class NoCast(Exception):
    """The roster has no micro-grid with a worker, households and a full line above it."""


def choose_cast(roster: Roster) -> CastPlan:
    """Pick the playground's people from a roster (deterministic)."""
    units = {u.code: u for u in roster.units}
    holders: dict[str, list[StaffRow]] = {}
    for person in roster.staff:
        for code in person.unit_codes:
            holders.setdefault(code, []).append(person)
    homes: dict[str, list[HouseholdRow]] = {}
    for household in roster.households:
        homes.setdefault(household.micro_grid_code, []).append(household)
    for micro_grid in sorted(
        (u for u in roster.units if u.level is Level.MICRO_GRID), key=lambda u: u.code
    ):
        line = [micro_grid]
        while line[-1].parent_code is not None:
            line.append(units[line[-1].parent_code])
        if len(line) != 4 or not homes.get(micro_grid.code):
            continue
        staff = {
            role: holders.get(unit.code, []) for role, unit in zip(ROLES[1:], line, strict=True)
        }
        if not all(staff.values()):
            continue
        grid, village = line[1], line[2]
        grids = {u.code for u in roster.units if u.parent_code == village.code}
        in_village = tuple(
            sorted((u for u in roster.units if u.parent_code in grids), key=lambda u: u.code)
        )
        return CastPlan(
            micro_grid=micro_grid,
            grid=grid,
            village=village,
            town=line[3],
            staff={role: people[0] for role, people in staff.items()},
            resident=homes[micro_grid.code][0],
            group_units=in_village,
        )
    raise NoCast(
        "no micro-grid has a worker and households with a grid worker, a village cadre "
        "and a town cadre above it"
    )
