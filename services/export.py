"""The export: one sheet per record type, headers in the reader's language; residents'
personal data (names, phones, addresses, ID digits, locations of homes) only in the L1 export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.clock import from_ts
from bot.config import Config
from bot.storage import attachments, contacts, grid, pension, survey
from bot.storage import export as store
from bot.storage.db import Database
from bot.texts import Lang
from models.attachments import Attachment, location_of
from models.contacts import LogKind
from models.errors import Refusal
from models.permissions import TOWN_CADRES, Action, Actor, may
from models.satisfaction import Tally
from models.supervision import ACTIONS as SUPERVISION_ACTIONS
from models.units import Level, Unit
from services.reports.attachments import markers
from services.sheets import Sheet

FOREVER = 2**62


def _ts(value: int | None) -> datetime | None:
    return None if value is None else from_ts(value)


class _Builder:
    """Makes sheets whose personal columns are left out unless `personal`."""

    def __init__(self, t: Lang, personal: bool) -> None:
        self.t = t
        self.personal = personal

    def sheet(
        self,
        name: str,
        columns: list[tuple[str, str, bool]],
        rows: list[Any],
        values: Callable[[Any], dict[str, Any]],
    ) -> Sheet:
        """columns: (key, kind, is personal data); `values` maps a row to values by key."""
        kept = [(key, kind) for key, kind, private in columns if self.personal or not private]
        table = Sheet(
            self.t(f"export.sheet_{name}"),
            [self.t(f"export.{name}_{key}") for key, _ in kept],
            [kind for _, kind in kept],
        )
        for row in rows:
            found = values(row)
            table.rows.append([found.get(key) for key, _ in kept])
        return table

    def yes(self, value: Any) -> str | None:
        """是 / 否 (blank for unknown)."""
        return None if value is None else self.t("export.yes" if value else "export.no")


def _collected(t: Lang, recorder: int | None, collected_on: str | None) -> str | None:
    """Where a report filed for a household was collected; None for a resident's own."""
    if recorder is None:
        return None
    return t(f"onbehalf.collected_{collected_on or 'none'}")


def _coordinates(found: list[Attachment]) -> dict[str, float | None]:
    location = location_of(found)
    if location is None:
        return {"latitude": None, "longitude": None}
    return {"latitude": location.latitude, "longitude": location.longitude}


def _label(t: Lang, prefix: str, value: str | None) -> str:
    if not value:
        return ""
    key = f"{prefix}{value}"
    return t(key) if key in (t.texts.catalogs.get(t.code) or {}) else value


def _action_prefix(action: str) -> str:
    return "supervise.action_" if action in SUPERVISION_ACTIONS else "reports.action_"


async def build_sheets(
    db: Database, config: Config, t: Lang, unit: Unit | None, personal: bool
) -> list[Sheet]:
    """Every sheet of the export for `unit`'s subtree (None: everything)."""
    b = _Builder(t, personal)
    category = {c.code: c.label(t.code) for c in config.categories}
    role = {level: t(f"common.role_l{level}") for level in range(1, 5)}
    role[0] = t("county.role_l0")
    scope = [unit] if unit is not None else None
    names = await store.unit_names(db, unit)
    reports = await store.reports(db, unit)
    # A report's recording as a marker (never a link to the file), its location as numbers.
    attached = await attachments.of_reports(db, [r["id"] for r in reports])
    sheets = [
        b.sheet(
            "reports",
            [
                ("number", "int", False),
                ("created", "datetime", False),
                ("village", "text", False),
                ("grid", "text", False),
                ("micro_grid", "text", False),
                ("category", "text", False),
                ("status", "text", False),
                ("level", "text", False),
                ("reporter", "text", True),
                ("household", "text", False),
                ("description", "text", False),
                ("recorder", "text", False),
                ("collected_on", "text", False),
                ("attachments", "text", False),
                ("latitude", "float", False),
                ("longitude", "float", False),
                ("owner", "text", False),
                ("escalations", "int", False),
                ("reopened", "int", False),
                ("on_spot", "text", False),
                ("overdue", "text", False),
                ("in_time", "text", False),
                ("accepted", "datetime", False),
                ("resolved", "datetime", False),
                ("closed", "datetime", False),
                ("affected", "int", False),
                ("satisfaction", "text", False),
                ("supervision", "text", False),
            ],
            reports,
            lambda r: {
                "attachments": markers(t, attached.get(r["id"], [])) or None,
                **_coordinates(attached.get(r["id"], [])),
                "number": r["town_seq"] or r["id"],
                "created": _ts(r["created_at"]),
                "village": r["village"],
                "grid": r["grid"],
                "micro_grid": r["micro_grid"],
                "category": category.get(r["category"], r["category"]),
                "status": _label(t, "reports.status_", r["status"]),
                "level": role[r["level"]],
                "reporter": r["reporter_name"],
                "household": r["household_code"],
                "description": r["description"],
                "recorder": r["recorder"],
                "collected_on": _collected(t, r["recorded_by_staff_id"], r["collected_on"]),
                "owner": r["owner"],
                "escalations": r["escalations"],
                "reopened": r["reopen_count"],
                "on_spot": b.yes(r["solved_on_spot"]),
                "overdue": b.yes(r["overdue"]),
                "in_time": b.yes(r["accepted_in_time"]),
                "accepted": _ts(r["accepted_at"]),
                "resolved": _ts(r["resolved_at"]),
                "closed": _ts(r["closed_at"]),
                "affected": r["affected"],
                "satisfaction": _label(t, "satisfaction.rating_", r["reporter_rating"]),
                "supervision": b.yes(r["supervision_wanted"]),
            },
        ),
        b.sheet(
            "history",
            [
                ("number", "int", False),
                ("at", "datetime", False),
                ("action", "text", False),
                ("from", "text", False),
                ("to", "text", False),
                ("level", "text", False),
                ("who", "text", False),
                ("resident", "text", True),
                ("note", "text", False),
            ],
            await store.report_events(db, unit),
            lambda e: {
                "number": e["number"],
                "at": _ts(e["at"]),
                "action": _label(t, _action_prefix(e["action"]), e["action"]),
                "from": _label(t, "reports.status_", e["from_status"]),
                "to": _label(t, "reports.status_", e["to_status"]),
                "level": role[e["level"]],
                "who": e["staff_name"]
                or t(
                    "export.who_resident" if e["actor"].startswith("tg:") else "export.who_system"
                ),
                "resident": e["actor"][3:] if e["actor"].startswith("tg:") else None,
                "note": e["note"],
            },
        ),
    ]
    sheets += await _satisfaction(db, b, unit)
    for kind in (LogKind.CONTACT, LogKind.VISIT):
        entries = await contacts.entries(db, scope, 0, FOREVER, kind)
        sheets.append(
            b.sheet(
                kind.value + "s",
                [
                    ("id", "int", False),
                    ("day", "text", False),
                    ("at", "datetime", False),
                    ("outcome", "text", False),
                    ("household", "text", False),
                    ("head", "text", True),
                    ("micro_grid", "text", False),
                    ("staff", "text", False),
                    ("note", "text", False),
                    ("lat", "float", True),
                    ("lon", "float", True),
                    ("logged", "datetime", False),
                ],
                entries,
                lambda c: {
                    "id": c.id,
                    "day": c.happened_on,
                    "at": _ts(c.happened_at),
                    "outcome": _label(t, "export.outcome_", c.outcome.value),
                    "household": c.household_code,
                    "head": c.head_name,
                    "micro_grid": names.get(c.micro_grid_id, ""),
                    "staff": c.staff_name,
                    "note": c.note,
                    "lat": c.lat,
                    "lon": c.lon,
                    "logged": _ts(c.logged_at),
                },
            )
        )
    sheets.append(
        b.sheet(
            "checkins",
            [
                ("id", "int", False),
                ("at", "datetime", False),
                ("staff_code", "text", False),
                ("staff", "text", False),
                ("unit", "text", False),
                ("lat", "float", False),
                ("lon", "float", False),
                ("distance", "float", False),
                ("flagged", "text", False),
            ],
            await contacts.checkins(db, scope, 0, FOREVER),
            lambda c: {
                "id": c["id"],
                "at": _ts(c["at"]),
                "staff_code": c["staff_code"],
                "staff": c["staff_name"],
                "unit": names.get(c["unit_id"], "") if c["unit_id"] else "",
                "lat": c["lat"],
                "lon": c["lon"],
                "distance": c["distance_m"],
                "flagged": b.yes(c["flagged"]),
            },
        )
    )
    sheets.append(await _survey(db, b, unit, names))
    sheets.append(await _pension(db, b, unit, names, role))
    sheets += [
        b.sheet(
            "staff",
            [
                ("code", "text", False),
                ("name", "text", False),
                ("phone", "text", False),
                ("level", "text", False),
                ("units", "text", False),
                ("linked", "text", False),
                ("active", "text", False),
            ],
            await store.staff(db, unit),
            lambda s: {
                "code": s["code"],
                "name": s["name"],
                "phone": s["phone"],
                "level": role[s["level"]],
                "units": s["unit_codes"],
                "linked": b.yes(s["linked"]),
                "active": b.yes(s["active"]),
            },
        ),
        b.sheet(
            "units",
            [
                ("code", "text", False),
                ("name", "text", False),
                ("level", "int", False),
                ("parent", "text", False),
                ("households", "int", False),
                ("active", "text", False),
                ("lat", "float", False),
                ("lon", "float", False),
                ("radius", "float", False),
            ],
            await store.units(db, unit),
            lambda u: {
                "code": u["code"],
                "name": u["name"],
                "level": u["level"],
                "parent": u["parent_code"],
                "households": u["households"],
                "active": b.yes(u["active"]),
                "lat": u["center_lat"],
                "lon": u["center_lon"],
                "radius": u["radius_m"],
            },
        ),
    ]
    return sheets


async def _satisfaction(db: Database, b: _Builder, unit: Unit | None) -> list[Sheet]:
    """The call-back's answers, one row each, and the satisfaction rate per worker."""
    t = b.t

    def rater(value: str) -> str:
        return t("export.ratings_reporter" if value == "reporter" else "export.ratings_affected")

    def per_worker(w: Any) -> dict[str, Any]:
        tally = Tally(w["satisfied"] or 0, w["fair"] or 0, w["dissatisfied"] or 0)
        return {
            "code": w["code"],
            "name": w["name"],
            "answered": tally.answered,
            "satisfied": tally.satisfied,
            "fair": tally.fair,
            "dissatisfied": tally.dissatisfied,
            "rate": tally.rate,
        }

    return [
        b.sheet(
            "ratings",
            [
                ("number", "int", False),
                ("rater", "text", False),
                ("rating", "text", False),
                ("comment", "text", False),
                ("at", "datetime", False),
                ("recorded_by", "text", False),
            ],
            await store.ratings(db, unit),
            lambda q: {
                "number": q["number"],
                "rater": rater(q["rater"]),
                "rating": _label(t, "satisfaction.rating_", q["rating"]),
                "comment": q["comment"],
                "at": _ts(q["answered_at"]),
                "recorded_by": q["recorded_by"],
            },
        ),
        b.sheet(
            "satisfaction",
            [
                ("code", "text", False),
                ("name", "text", False),
                ("answered", "int", False),
                ("satisfied", "int", False),
                ("fair", "int", False),
                ("dissatisfied", "int", False),
                ("rate", "percent", False),
            ],
            await store.worker_ratings(db, unit),
            per_worker,
        ),
    ]


async def _survey(db: Database, b: _Builder, unit: Unit | None, names: dict[int, str]) -> Sheet:
    responses = await survey.responses(db, unit)
    answers = await survey.answers_of(db, [r.id for r in responses])
    codes = await store.household_codes(db, [r.household_id for r in responses])
    workers: dict[int, str] = {}
    for staff_id in {r.entered_by_staff_id for r in responses if r.entered_by_staff_id}:
        found = await grid.staff_by_id(db, staff_id)
        workers[staff_id] = found.name if found is not None else ""
    questions: list[str] = []
    by_response: dict[int, dict[str, Any]] = {}
    for answer in answers:
        if answer.question_id not in questions:
            questions.append(answer.question_id)
        value = answer.value
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        by_response.setdefault(answer.response_id, {})[answer.question_id] = value
    table = b.sheet(
        "survey",
        [
            ("id", "int", False),
            ("round", "text", False),
            ("household", "text", False),
            ("micro_grid", "text", False),
            ("submitted", "datetime", False),
            ("report", "int", False),
            ("entered_by", "text", False),
        ],
        responses,
        lambda r: {
            "id": r.id,
            "round": r.round_code,
            "household": codes.get(r.household_id, ""),
            "micro_grid": names.get(r.micro_grid_id, ""),
            "submitted": r.submitted_at,
            "report": r.report_id,
            # 代填: the worker who entered it for the household; empty when it answered itself.
            "entered_by": workers.get(r.entered_by_staff_id or 0),
        },
    )
    # One column per question, after the fixed ones (numbers stay numbers).
    table.headers += questions
    table.kinds += [
        "float"
        if all(isinstance(a.get(q), int | float) or a.get(q) is None for a in by_response.values())
        else "text"
        for q in questions
    ]
    for row, response in zip(table.rows, responses, strict=True):
        answered = by_response.get(response.id, {})
        list.extend(row, [answered.get(q) for q in questions])  # type: ignore[arg-type]
    return table


async def _pension(
    db: Database, b: _Builder, unit: Unit | None, names: dict[int, str], role: dict[int, str]
) -> Sheet:
    found = await pension.requests_in_subtree(db, unit)
    codes = await store.household_codes(db, [r.household_id for r in found])
    t = b.t
    return b.sheet(
        "pension",
        [
            ("number", "text", False),
            ("created", "datetime", False),
            ("mode", "text", False),
            ("status", "text", False),
            ("for_self", "text", False),
            ("person", "text", True),
            ("id_last4", "text", True),
            ("phone", "text", True),
            ("requester", "text", True),
            ("household", "text", False),
            ("micro_grid", "text", False),
            ("level", "text", False),
            ("escalations", "int", False),
            ("overdue", "text", False),
            ("due", "datetime", False),
            ("visit", "datetime", False),
            ("note", "text", False),
            ("updated", "datetime", False),
        ],
        found,
        lambda r: {
            "number": r.number,
            "created": r.created_at,
            "mode": _label(t, "export.mode_", r.mode.value),
            "status": _label(t, "export.pension_status_", r.status.value),
            "for_self": b.yes(r.for_self),
            "person": r.person_name,
            "id_last4": r.id_last4,
            "phone": r.phone,
            "requester": r.requester_name,
            "household": codes.get(r.household_id or 0, ""),
            "micro_grid": names.get(r.micro_grid_id or 0, ""),
            "level": role[int(r.level)] if r.level is not None else "",
            "escalations": r.escalations,
            "overdue": b.yes(r.overdue),
            "due": r.due_at,
            "visit": r.visit_at,
            "note": r.outcome_note,
            "updated": r.updated_at,
        },
    )


def export_scope(actor: Actor) -> Unit:
    """The unit whose subtree `actor` may export (Refusal when they may not export)."""
    held = sorted(actor.units, key=lambda u: (u.level, u.code))
    if not may(actor, Action.EXPORT) or not held:
        raise Refusal("common.not_allowed")
    return held[0]


async def export_towns(db: Database, actor: Actor) -> list[Unit]:
    """The towns a county cadre may export one by one ([] for everyone else)."""
    unit = export_scope(actor)
    if unit.level is not Level.COUNTY:
        return []
    async with db.reading():
        return await grid.subtree(db, unit, Level.TOWN)


async def town_in_scope(db: Database, actor: Actor, town_id: int) -> Unit:
    """The town `town_id`, which must lie in the actor's scope (Refusal otherwise)."""
    scope = export_scope(actor)
    async with db.reading():
        town = await grid.unit_by_id(db, town_id)
    if town is None or town.level is not Level.TOWN or not scope.contains(town):
        raise Refusal("common.not_allowed")
    return town


async def export_for(
    db: Database, config: Config, t: Lang, actor: Actor, town_id: int | None = None
) -> list[Sheet]:
    """The sheets `actor` may export: their unit's subtree (or, for a county cadre, one
    town's); personal data only for town and county cadres.

    Read from a snapshot on a connection of its own, so the bot's writes never wait for it.
    """
    unit = export_scope(actor) if town_id is None else await town_in_scope(db, actor, town_id)
    async with db.snapshot() as view:
        return await build_sheets(view, config, t, unit, personal=actor.role in TOWN_CADRES)


async def export_county(
    db: Database,
    config: Config,
    t: Lang,
    actor: Actor,
    write: Callable[[list[Sheet]], Awaitable[bytes]],
) -> list[tuple[Unit, bytes, int]]:
    """The whole county as one file per town, each written by `write` before the next town
    is read (one town's rows in memory at a time): (town, file, rows)."""
    files = []
    for town in await export_towns(db, actor):
        sheets = await export_for(db, config, t, actor, town.id)
        files.append((town, await write(sheets), sum(len(s.rows) for s in sheets)))
        del sheets
    return files


async def export_all(db: Database, config: Config, t: Lang) -> list[Sheet]:
    """Everything, with personal data (the command line acts as the town office); read from a
    snapshot, so a running bot's writes go on meanwhile."""
    async with db.snapshot() as view:
        return await build_sheets(view, config, t, None, personal=True)
