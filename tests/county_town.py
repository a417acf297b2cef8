"""A small hand-made county for tests: two towns under one county."""

from __future__ import annotations

from models.units import Level
from services.roster import HouseholdRow, Roster, StaffRow, UnitRow


def county_roster() -> Roster:
    """County K; town T (大屯营镇, prefix DTY) with village V1, grid G1, micro-grids M1, M2;
    town T2 (黄沙坪镇, prefix HSP) with V5, G5, M5.

    Staff: K0 county cadre; C1 town cadre of T; C2 of T2; L4A holds M1, L4B M2, L4E M5.
    """
    u = UnitRow
    units = (
        u(code="K", name="云溪县", level=Level.COUNTY),
        u(code="T", name="大屯营镇", level=Level.TOWN, parent_code="K", short="DTY"),
        u(code="T2", name="黄沙坪镇", level=Level.TOWN, parent_code="K", short="HSP"),
        u(code="V1", name="大屯营村", level=Level.VILLAGE, parent_code="T"),
        u(code="V5", name="黄沙村", level=Level.VILLAGE, parent_code="T2"),
        u(code="G1", name="大屯营村第1网格", level=Level.GRID, parent_code="V1"),
        u(code="G5", name="黄沙村第1网格", level=Level.GRID, parent_code="V5"),
        u(code="M1", name="益家冲组", level=Level.MICRO_GRID, parent_code="G1"),
        u(code="M2", name="渣塘冲组", level=Level.MICRO_GRID, parent_code="G1"),
        u(code="M5", name="黄沙组", level=Level.MICRO_GRID, parent_code="G5"),
    )
    s = StaffRow
    staff = (
        s(code="K0", name="县干部", phone="13900000100", level=Level.COUNTY, unit_codes=("K",)),
        s(code="C1", name="刘建国", phone="13900000001", level=Level.TOWN, unit_codes=("T",)),
        s(code="C2", name="孙丽", phone="13900000011", level=Level.TOWN, unit_codes=("T2",)),
        s(
            code="L4A",
            name="张秀兰",
            phone="13900000007",
            level=Level.MICRO_GRID,
            unit_codes=("M1",),
        ),
        s(code="L4B", name="王芳", phone="13900000008", level=Level.MICRO_GRID, unit_codes=("M2",)),
        s(code="L4E", name="钱勇", phone="13900000017", level=Level.MICRO_GRID, unit_codes=("M5",)),
    )
    households = tuple(
        HouseholdRow(
            code=f"{mg}-H{n}",
            micro_grid_code=mg,
            head_name=f"{mg}户主{n}",
            address=f"{mg}组{n}号",
            phone=f"1380000{int(mg[1]):02d}{n:02d}",
        )
        for mg in ("M1", "M2", "M5")
        for n in (1, 2)
    )
    return Roster(units=units, staff=staff, households=households)
