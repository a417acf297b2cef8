"""Several small towns in one roster, for the county-scale fan-out tests."""

from __future__ import annotations

from models.roster import HouseholdRow, Roster, StaffRow, UnitRow
from models.units import Level


def towns_roster(sizes: list[int], households: int = 2, county: bool = False) -> Roster:
    """Towns T0, T1 … with `sizes[t]` micro-grids each (one village, one grid), one worker
    per micro-grid (code W{t}-{m}) and `households` households in each micro-grid; with
    `county`, the towns are under county K with its cadre K0."""
    units: list[UnitRow] = []
    staff: list[StaffRow] = []
    homes: list[HouseholdRow] = []
    if county:
        units.append(UnitRow(code="K", name="云溪县", level=Level.COUNTY))
        staff.append(
            StaffRow(
                code="K0", name="县干部", phone="13900000100", level=Level.COUNTY, unit_codes=("K",)
            )
        )
    for t, size in enumerate(sizes):
        units += [
            UnitRow(
                code=f"T{t}",
                name=f"第{t}镇",
                level=Level.TOWN,
                parent_code="K" if county else None,
            ),
            UnitRow(code=f"T{t}V", name=f"第{t}镇一村", level=Level.VILLAGE, parent_code=f"T{t}"),
            UnitRow(code=f"T{t}G", name=f"第{t}镇一网格", level=Level.GRID, parent_code=f"T{t}V"),
        ]
        for m in range(size):
            code = f"T{t}M{m}"
            units.append(
                UnitRow(
                    code=code, name=f"第{t}镇{m}组", level=Level.MICRO_GRID, parent_code=f"T{t}G"
                )
            )
            staff.append(
                StaffRow(
                    code=f"W{t}-{m}",
                    name=f"网格员{t}-{m}",
                    phone=f"139{t:04d}{m:04d}",
                    level=Level.MICRO_GRID,
                    unit_codes=(code,),
                )
            )
            homes += [
                HouseholdRow(code=f"H{t}-{m}-{k}", micro_grid_code=code, head_name=f"户主{k}")
                for k in range(households)
            ]
    return Roster(units=tuple(units), staff=tuple(staff), households=tuple(homes))
