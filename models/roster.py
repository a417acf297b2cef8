"""The roster as rows: units, staff and households read from the town's spreadsheet, and
the errors found in it (the domain of an import, without files or a database)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from models.units import Level


class UnitRow(BaseModel):
    """One unit of the tree as the roster gives it."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    level: Level
    parent_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    short: str = ""  # a town's report-number prefix (towns only; derived from the code if empty)


class StaffRow(BaseModel):
    """One worker or cadre with every unit they hold (all of their own level)."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    phone: str
    level: Level
    unit_codes: tuple[str, ...]


class HouseholdRow(BaseModel):
    """One household of a micro-grid."""

    model_config = ConfigDict(frozen=True)

    code: str
    micro_grid_code: str
    head_name: str
    address: str = ""
    phone: str = ""
    members: int = Field(default=1, ge=1)
    tags: tuple[str, ...] = ()
    pension_month: int | None = Field(default=None, ge=1, le=12)


class Roster(BaseModel):
    """A complete, consistent roster (rows in file order; every parent is in `units`)."""

    model_config = ConfigDict(frozen=True)

    units: tuple[UnitRow, ...]
    staff: tuple[StaffRow, ...]
    households: tuple[HouseholdRow, ...]


@dataclass(frozen=True, slots=True)
class RosterError:
    """One rejected row: the sheet, its line as the spreadsheet shows it, and why."""

    sheet: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.sheet}: {self.reason}"
        return f"{self.sheet} line {self.line}: {self.reason}"


class RosterErrors(list[RosterError]):
    """Every problem found in a roster, in sheet and line order."""

    def render(self) -> str:
        """All errors, one per line."""
        return "\n".join(str(error) for error in self)

    def __str__(self) -> str:
        return self.render()


class KindCounts(BaseModel):
    """What an import did to one kind of record."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        """Records created, updated or deactivated."""
        return self.created + self.updated + self.deactivated


class ImportSummary(BaseModel):
    """What an import did to units, staff and households."""

    units: KindCounts = Field(default_factory=KindCounts)
    staff: KindCounts = Field(default_factory=KindCounts)
    households: KindCounts = Field(default_factory=KindCounts)

    @property
    def changed(self) -> bool:
        """Whether the import changed anything at all."""
        return any(c.changed for c in (self.units, self.staff, self.households))

    def render(self) -> str:
        """One English line per kind, for the command line."""
        return "\n".join(
            f"{kind}: {c.created} created, {c.updated} updated, "
            f"{c.deactivated} deactivated, {c.unchanged} unchanged"
            for kind, c in (
                ("units", self.units),
                ("staff", self.staff),
                ("households", self.households),
            )
        )
