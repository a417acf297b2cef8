"""A small hand-made town for tests: every level, two villages, workers of every kind."""

from __future__ import annotations

from models.units import Level
from services.roster import HouseholdRow, Roster, StaffRow, UnitRow


def test_town() -> Roster:
    """Town T; villages V1 (grids G1, G2) and V2 (grid G3); micro-grids M1..M4.

    M1 益家冲组 and M2 渣塘冲组 lie in G1; M3 in G2; M4 in G3 (the other village).
    Staff: C1 town cadre; V1C village cadre of V1; V2C of V2; L3A and L3B both hold G1;
    L3C holds G3; L4A holds M1; L4B holds M2 and M3; L4D holds M4.
    """
    u = UnitRow
    units = (
        u(code="T", name="大屯营镇", level=Level.TOWN),
        u(code="V1", name="大屯营村", level=Level.VILLAGE, parent_code="T"),
        u(code="V2", name="三仙坳村", level=Level.VILLAGE, parent_code="T"),
        u(code="G1", name="大屯营村第1网格", level=Level.GRID, parent_code="V1"),
        u(code="G2", name="大屯营村第2网格", level=Level.GRID, parent_code="V1"),
        u(code="G3", name="三仙坳村第1网格", level=Level.GRID, parent_code="V2"),
        u(
            code="M1",
            name="益家冲组",
            level=Level.MICRO_GRID,
            parent_code="G1",
            lat=28.2,
            lon=112.5,
            radius_m=800,
        ),
        u(code="M2", name="渣塘冲组", level=Level.MICRO_GRID, parent_code="G1"),
        u(code="M3", name="杨家湾组", level=Level.MICRO_GRID, parent_code="G2"),
        u(code="M4", name="石门组", level=Level.MICRO_GRID, parent_code="G3"),
    )
    s = StaffRow
    staff = (
        s(code="C1", name="刘建国", phone="13900000001", level=Level.TOWN, unit_codes=("T",)),
        s(code="V1C", name="周红梅", phone="13900000002", level=Level.VILLAGE, unit_codes=("V1",)),
        s(code="V2C", name="胡志强", phone="13900000003", level=Level.VILLAGE, unit_codes=("V2",)),
        s(code="L3A", name="李明", phone="13900000004", level=Level.GRID, unit_codes=("G1",)),
        s(code="L3B", name="陈静", phone="13900000005", level=Level.GRID, unit_codes=("G1",)),
        s(code="L3C", name="黄伟", phone="13900000006", level=Level.GRID, unit_codes=("G3",)),
        s(
            code="L4A",
            name="张秀兰",
            phone="13900000007",
            level=Level.MICRO_GRID,
            unit_codes=("M1",),
        ),
        s(
            code="L4B",
            name="王芳",
            phone="13900000008",
            level=Level.MICRO_GRID,
            unit_codes=("M2", "M3"),
        ),
        s(code="L4D", name="赵磊", phone="13900000009", level=Level.MICRO_GRID, unit_codes=("M4",)),
    )
    households = []
    for mg, count in (("M1", 4), ("M2", 3), ("M3", 3), ("M4", 2)):
        for n in range(1, count + 1):
            households.append(
                HouseholdRow(
                    code=f"{mg}-H{n}",
                    micro_grid_code=mg,
                    head_name=f"{mg}户主{n}",
                    address=f"{mg}组{n}号",
                    phone=f"1380000{int(mg[1]):02d}{n:02d}",
                    members=3,
                    tags=("elderly_alone",) if n == 1 else (),
                )
            )
    return Roster(units=units, staff=staff, households=tuple(households))
