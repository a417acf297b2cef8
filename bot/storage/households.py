"""Households as workers see them, and their contact and visit facts for a whole subtree."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from bot.clock import from_ts
from bot.storage.db import Database
from models.compliance import HouseholdFacts, Tally
from models.compliance_county import MicroGridCount
from models.contacts import Household
from models.units import Unit

_COLS = (
    "h.id, h.code, h.head_name, h.address, h.micro_grid_id, u.name AS micro_grid_name, "
    "EXISTS (SELECT 1 FROM people lp WHERE lp.household_id = h.id) AS linked"
)


# A household's latest counted contact and visit up to a moment (two parameters: the moment,
# twice), and whether it counts at a moment (two parameters: the moment, twice).
_LATEST = (
    "(SELECT MAX(c.happened_at) FROM contacts c WHERE c.household_id = h.id "
    " AND c.counts_contact = 1 AND c.happened_at <= ?) AS last_contact, "
    "(SELECT MAX(c.happened_at) FROM contacts c WHERE c.household_id = h.id "
    " AND c.counts_visit = 1 AND c.happened_at <= ?) AS last_visit"
)
_COUNTS_AT = "h.added_at <= ? AND (h.active = 1 OR h.deactivated_at > ?)"


def household_from_row(row: sqlite3.Row) -> Household:
    """A Household from a row selected with the household columns."""
    return Household(
        id=row["id"],
        code=row["code"],
        head_name=row["head_name"],
        address=row["address"],
        micro_grid_id=row["micro_grid_id"],
        micro_grid_name=row["micro_grid_name"],
        linked=bool(row["linked"]),
    )


def _within(units: Sequence[Unit]) -> tuple[str, list[object]]:
    """A WHERE clause for micro-grids `u` lying in any of the units' subtrees."""
    if not units:
        return "0", []
    parts = [f"u.l{int(unit.level)}_id = ?" for unit in units]
    return "(" + " OR ".join(parts) + ")", [unit.id for unit in units]


async def household(db: Database, household_id: int) -> Household | None:
    """One active household by id."""
    row = await db.fetchone(
        f"SELECT {_COLS} FROM households h JOIN units u ON u.id = h.micro_grid_id "
        "WHERE h.id = ? AND h.active = 1",
        (household_id,),
    )
    return household_from_row(row) if row else None


async def household_unit(db: Database, household_id: int) -> int | None:
    """The micro-grid id of an active household."""
    value = await db.scalar(
        "SELECT micro_grid_id FROM households WHERE id = ? AND active = 1", (household_id,)
    )
    return int(value) if value is not None else None


async def of_micro_grid(db: Database, micro_grid_id: int) -> list[Household]:
    """The active households of one micro-grid, by code."""
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM households h JOIN units u ON u.id = h.micro_grid_id "
        "WHERE h.micro_grid_id = ? AND h.active = 1 ORDER BY h.code",
        (micro_grid_id,),
    )
    return [household_from_row(r) for r in rows]


async def facts(
    db: Database,
    units: Sequence[Unit] | None,
    at: int,
    contact_due_since: int | None = None,
    visit_due_since: int | None = None,
) -> list[HouseholdFacts]:
    """Every household of the subtrees (all households when `units` is None) that may count at
    `at`, with its latest counted contact and visit up to `at` — one query, set-based. With
    `contact_due_since` (`visit_due_since`) only those not contacted (visited) since then or
    since they were added: a reminder run needs no others."""
    params: list[object]
    if units is None:
        where, params = "1", []
    else:
        where, params = _within(units)
    rows = await db.fetchall(
        "SELECT * FROM ("
        f"SELECT {_COLS}, u.code AS unit_code, u.l0_id, u.l1_id, u.l2_id, u.l3_id, u.l4_id, "
        "h.added_at, h.active, "
        "h.deactivated_at, "
        f"{_LATEST} FROM households h JOIN units u ON u.id = h.micro_grid_id "
        f"WHERE u.active = 1 AND {where} AND {_COUNTS_AT}) "
        "WHERE (? IS NULL OR last_contact IS NULL OR last_contact < MAX(?, added_at)) "
        "AND (? IS NULL OR last_visit IS NULL OR last_visit < MAX(?, added_at)) "
        "ORDER BY unit_code, code",
        [
            at,
            at,
            *params,
            at,
            at,
            contact_due_since,
            contact_due_since,
            visit_due_since,
            visit_due_since,
        ],
    )
    return [
        HouseholdFacts(
            household=household_from_row(r),
            ancestors=(r["l0_id"], r["l1_id"], r["l2_id"], r["l3_id"], r["l4_id"]),
            added_at=from_ts(r["added_at"]),
            active=bool(r["active"]),
            deactivated_at=from_ts(r["deactivated_at"]) if r["deactivated_at"] else None,
            last_contact=from_ts(r["last_contact"]) if r["last_contact"] is not None else None,
            last_visit=from_ts(r["last_visit"]) if r["last_visit"] is not None else None,
        )
        for r in rows
    ]


# Per micro-grid of a subtree (`{where}` on its units `u`): the households that count at
# `at`, and how many were contacted since `month_start` and visited since `quarter_start`
# (each since it was added, up to `at`). One seek per household in each partial index of
# counted contacts (contacts_counted, visits_counted); the micro-grids come in id order
# from units_l*, so no sort. Parameters: month_start, at, quarter_start, at, *where, at, at.
_TALLY = (
    "SELECT {columns}, COUNT(*) AS households, "
    "SUM(EXISTS (SELECT 1 FROM contacts c WHERE c.household_id = h.id AND c.counts_contact = 1 "
    " AND c.happened_at >= MAX(?, h.added_at) AND c.happened_at <= ?)) AS contacted, "
    "SUM(EXISTS (SELECT 1 FROM contacts c WHERE c.household_id = h.id AND c.counts_visit = 1 "
    " AND c.happened_at >= MAX(?, h.added_at) AND c.happened_at <= ?)) AS visited "
    "FROM units u JOIN households h ON h.micro_grid_id = u.id "
    "WHERE {where} AND u.level = 4 AND u.active = 1 AND h.added_at <= ? "
    "AND (h.active = 1 OR h.deactivated_at > ?) GROUP BY u.id"
)


async def tallies(
    db: Database, unit: Unit, at: int, month_start: int, quarter_start: int
) -> list[Tally]:
    """Per micro-grid of the unit's subtree: the households that count at `at`, and how many
    were contacted since `month_start` and visited since `quarter_start` (each since it was
    added, up to `at`) — counted in SQL, so a town's households never come into memory."""
    rows = await db.fetchall(
        _TALLY.format(
            columns="u.id, u.l0_id, u.l1_id, u.l2_id, u.l3_id, u.l4_id",
            where=f"u.l{int(unit.level)}_id = ?",
        ),
        [month_start, at, quarter_start, at, unit.id, at, at],
    )
    return [
        Tally(
            micro_grid_id=r["id"],
            ancestors=(r["l0_id"], r["l1_id"], r["l2_id"], r["l3_id"], r["l4_id"]),
            households=r["households"],
            contacted=r["contacted"],
            visited=r["visited"],
        )
        for r in rows
    ]


async def micro_grid_counts(
    db: Database, unit: Unit, at: int, month_start: int, quarter_start: int
) -> list[MicroGridCount]:
    """`tallies` as plain rows with each micro-grid's town (a county reads ~32 000)."""
    rows = await db.fetchall(
        _TALLY.format(columns="u.id, u.l1_id", where=f"u.l{int(unit.level)}_id = ?"),
        [month_start, at, quarter_start, at, unit.id, at, at],
    )
    return [MicroGridCount(*row) for row in rows]


async def pensioners_due(
    db: Database, month: int
) -> list[tuple[Household, list[tuple[int, str | None]]]]:
    """Active households whose pension authentication falls in `month`, each with the people
    linked to it who have opened the bot: (Telegram id, language)."""
    rows = await db.fetchall(
        f"SELECT {_COLS}, group_concat(p.tg_user_id || ':' || COALESCE(p.language, '')) "
        "AS people "
        "FROM households h JOIN units u ON u.id = h.micro_grid_id "
        "LEFT JOIN people p ON p.household_id = h.id AND p.started_bot = 1 "
        "WHERE h.active = 1 AND u.active = 1 AND h.pension_month = ? "
        "GROUP BY h.id ORDER BY u.code, h.code",
        (month,),
    )
    found = []
    for r in rows:
        linked = [part.split(":", 1) for part in (r["people"] or "").split(",") if part]
        found.append(
            (household_from_row(r), sorted((int(tg), language or None) for tg, language in linked))
        )
    return found


async def phone_of(db: Database, household_id: int) -> str | None:
    """The phone number of a household from the roster (staff only), None when it has none."""
    value = await db.scalar("SELECT phone FROM households WHERE id = ?", (household_id,))
    return str(value) if value else None


class DueCounts(NamedTuple):
    """How many households of some subtrees count, were contacted this month, visited this
    quarter, and have nobody linked."""

    total: int
    contacted: int
    visited: int
    unlinked: int


async def due(
    db: Database,
    units: Sequence[Unit],
    at: int,
    month_start: int,
    quarter_start: int,
    limit: int,
) -> tuple[DueCounts, list[Household], list[Household]]:
    """The households of the subtrees that count at `at`: counted in SQL, and the first
    `limit` of those not contacted since `month_start` and of those not visited since
    `quarter_start` (each since it was added), by micro-grid and code — a cadre's whole town
    or county never comes into memory."""
    where, params = _within(units)
    base = (
        f"SELECT {_COLS}, u.code AS unit_code, "
        "(h.last_contact IS NOT NULL AND h.last_contact >= MAX(?, h.added_at)) AS contacted, "
        "(h.last_visit IS NOT NULL AND h.last_visit >= MAX(?, h.added_at)) AS visited FROM ("
        "SELECT h.*, "
        f"{_LATEST} FROM households h JOIN units u ON u.id = h.micro_grid_id "
        f"WHERE u.active = 1 AND {where} AND {_COUNTS_AT}) h "
        "JOIN units u ON u.id = h.micro_grid_id"
    )
    base_params = [month_start, quarter_start, at, at, *params, at, at]
    counts = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(contacted), 0), COALESCE(SUM(visited), 0), "
        f"COALESCE(SUM(NOT linked), 0) FROM ({base})",
        base_params,
    )
    assert counts is not None
    lists = []
    for flag in ("contacted", "visited"):
        rows = await db.fetchall(
            f"SELECT * FROM ({base}) WHERE NOT {flag} ORDER BY unit_code, code LIMIT ?",
            [*base_params, limit],
        )
        lists.append([household_from_row(r) for r in rows])
    return DueCounts(*counts), lists[0], lists[1]
