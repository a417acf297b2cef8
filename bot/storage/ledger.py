"""The send-once ledger: every reminder, digest, assessment and announcement delivery,
recorded before it is sent (one row per kind, period and recipient), so nothing goes out
twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.storage.db import Database
from models.units import Unit

_COLS = (
    "id, kind, period_key, recipient, chat_id, staff_id, household_id, unit_id, language, "
    "payload, status, error, attempts, created_at, expires_at, done_at, message_id, town_id, "
    "fair_rank"
)


class Entry(BaseModel):
    """One message to one recipient, and where its delivery stands."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    period_key: str
    recipient: str
    chat_id: int | None
    staff_id: int | None
    household_id: int | None
    unit_id: int | None
    language: str | None
    payload: dict[str, Any]
    status: str
    error: str
    attempts: int
    created_at: int
    expires_at: int | None
    done_at: int | None
    message_id: int | None
    town_id: int | None = None
    fair_rank: int = 0


class Planned(BaseModel):
    """A message about to be recorded. Without a chat it is recorded as failed
    ('not_linked': the recipient has no Telegram account linked)."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    chat_id: int | None = None
    staff_id: int | None = None
    household_id: int | None = None
    unit_id: int | None = None
    language: str | None = None
    payload: dict[str, Any] = {}


def _entry(row: Any) -> Entry:
    data = dict(row)
    data["payload"] = json.loads(data["payload"])
    return Entry(**data)


async def record(
    db: Database,
    kind: str,
    period_key: str,
    planned: Sequence[Planned],
    at: int,
    expires_at: int | None = None,
) -> list[Entry]:
    """Record each planned message not recorded yet for (kind, period_key); returns the new
    rows. Call inside the caller's transaction."""
    if not planned:
        return []
    before = await db.scalar("SELECT COALESCE(MAX(id), 0) FROM ledger")
    await db.executemany(
        "INSERT OR IGNORE INTO ledger (kind, period_key, recipient, chat_id, staff_id, "
        "household_id, unit_id, language, payload, status, error, created_at, expires_at, "
        "done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                kind,
                period_key,
                p.recipient,
                p.chat_id,
                p.staff_id,
                p.household_id,
                p.unit_id,
                p.language,
                json.dumps(p.payload, ensure_ascii=False),
                "pending" if p.chat_id is not None else "failed",
                "" if p.chat_id is not None else "not_linked",
                at,
                expires_at,
                None if p.chat_id is not None else at,
            )
            for p in planned
        ],
    )
    await _rank(db, kind, period_key, before)
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM ledger WHERE id > ? AND kind = ? AND period_key = ? ORDER BY id",
        (before, kind, period_key),
    )
    return [_entry(r) for r in rows]


async def _rank(db: Database, kind: str, period_key: str, before: int) -> None:
    """Give the rows recorded after `before` their town and their position among the run's
    rows of that town (set-based: two statements for the whole run)."""
    await db.execute(
        "UPDATE ledger SET town_id = COALESCE("
        " (SELECT u.l1_id FROM units u WHERE u.id = ledger.unit_id),"
        " (SELECT u.l1_id FROM staff_units su JOIN units u ON u.id = su.unit_id"
        "  WHERE su.staff_id = ledger.staff_id ORDER BY u.level, u.id LIMIT 1),"
        " (SELECT u.l1_id FROM households h JOIN units u ON u.id = h.micro_grid_id"
        "  WHERE h.id = ledger.household_id),"
        " (SELECT u.l1_id FROM groups g JOIN units u ON u.id = g.micro_grid_id"
        "  WHERE g.chat_id = ledger.chat_id AND ledger.recipient LIKE 'chat:%')) "
        "WHERE kind = ? AND period_key = ? AND id > ?",
        (kind, period_key, before),
    )
    await db.execute(
        "UPDATE ledger SET fair_rank = r.n FROM ("
        " SELECT id, ROW_NUMBER() OVER (PARTITION BY town_id ORDER BY id) AS n"
        " FROM ledger WHERE kind = ? AND period_key = ?) AS r "
        "WHERE ledger.id = r.id AND ledger.id > ?",
        (kind, period_key, before),
    )


async def expire(db: Database, now: int) -> int:
    """Pending rows whose period is over will not be sent; returns how many."""
    return await db.rowcount(
        "UPDATE ledger SET status = 'expired', done_at = ? "
        "WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?",
        (now, now),
    )


async def claim(
    db: Database,
    kinds: Sequence[str],
    process: str,
    at: int,
    limit: int | None,
    period_key: str | None = None,
) -> list[Entry]:
    """Take up to `limit` (None: all) pending rows of these kinds (and period), marking them
    'sending' by `process`; returned as they were before (`attempts` counts the earlier
    tries). Fair across towns: by rank within the town's part of the run, then oldest first,
    so a batch takes each town's next message before any town's one after; the run is marked
    started."""
    if not kinds:
        return []
    period = "" if period_key is None else "AND period_key = ? "
    rows: list[Any] = []
    # One indexed walk per kind (ledger_fair), merged here: never a sort of a whole run.
    for kind in sorted(set(kinds)):
        rows += await db.fetchall(
            f"SELECT {_COLS} FROM ledger WHERE status = 'pending' AND kind = ? "
            f"{period}ORDER BY fair_rank, id LIMIT ?",
            [kind, *([] if period_key is None else [period_key]), -1 if limit is None else limit],
        )
    rows.sort(key=lambda r: (r["fair_rank"], r["id"]))
    rows = rows if limit is None else rows[:limit]
    if rows:
        ids = [r["id"] for r in rows]
        await db.execute(
            "UPDATE ledger SET status = 'sending', attempts = attempts + 1, claimed_by = ?, "
            f"claimed_at = ? WHERE id IN ({','.join('?' * len(ids))})",
            [process, at, *ids],
        )
        runs = {(r["kind"], r["period_key"]) for r in rows}
        await db.executemany(
            "INSERT OR IGNORE INTO send_runs (kind, period_key, started_at) VALUES (?, ?, ?)",
            [(kind, period_key, at) for kind, period_key in sorted(runs)],
        )
    return [_entry(r) for r in rows]


async def start_run(db: Database, kind: str, period_key: str, at: int) -> None:
    """Note that a run began now (before its first message is claimed)."""
    await db.execute(
        "INSERT OR IGNORE INTO send_runs (kind, period_key, started_at) VALUES (?, ?, ?)",
        (kind, period_key, at),
    )


async def close_runs(db: Database, entry_ids: Sequence[int], at: int) -> None:
    """Runs of these rows that have nothing left to send are finished now."""
    if not entry_ids:
        return
    await db.execute(
        "UPDATE send_runs SET finished_at = ? WHERE finished_at IS NULL "
        "AND (kind, period_key) IN (SELECT kind, period_key FROM ledger "
        f" WHERE id IN ({','.join('?' * len(entry_ids))})) "
        "AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.kind = send_runs.kind "
        " AND l.period_key = send_runs.period_key AND l.status IN ('pending', 'sending'))",
        [at, *entry_ids],
    )


class Run(BaseModel):
    """One run of a ledger kind and period: when it ran and how far it got."""

    model_config = ConfigDict(frozen=True)

    kind: str
    period_key: str
    started_at: int
    finished_at: int | None
    sent: int
    failed: int
    left: int


async def runs(db: Database, family: str, since: int, until: int | None = None) -> list[Run]:
    """Runs of a family ('reminder', 'announcement') still going or finished since `since`
    (and started before `until`), oldest first, with their counts."""
    rows = await db.fetchall(
        "SELECT r.kind, r.period_key, r.started_at, r.finished_at, "
        " (SELECT COUNT(*) FROM ledger l WHERE l.kind = r.kind AND l.period_key = r.period_key"
        "  AND l.status = 'sent') AS sent, "
        " (SELECT COUNT(*) FROM ledger l WHERE l.kind = r.kind AND l.period_key = r.period_key"
        "  AND l.status IN ('failed', 'unknown', 'expired')) AS failed, "
        " (SELECT COUNT(*) FROM ledger l WHERE l.kind = r.kind AND l.period_key = r.period_key"
        "  AND l.status IN ('pending', 'sending')) AS left "
        "FROM send_runs r WHERE r.kind LIKE ? || ':%' "
        "AND (r.finished_at IS NULL OR r.finished_at >= ?) AND (? IS NULL OR r.started_at < ?) "
        "ORDER BY r.started_at, r.id",
        (family, since, until, until),
    )
    return [Run(**dict(r)) for r in rows]


async def orphans_to_unknown(db: Database, process: str, kind: str | None = None) -> int:
    """Rows (of one kind, or of every kind) left 'sending' by another process (stopped
    mid-send): their outcome is unknown, so they are never sent again. Returns how many."""
    return await db.rowcount(
        "UPDATE ledger SET status = 'unknown' WHERE status = 'sending' "
        "AND (claimed_by IS NULL OR claimed_by != ?) AND (? IS NULL OR kind = ?)",
        (process, kind, kind),
    )


async def mark_sent(db: Database, entry_id: int, at: int, message_id: int | None = None) -> None:
    """The message went out."""
    await db.execute(
        "UPDATE ledger SET status = 'sent', error = '', done_at = ?, message_id = ? WHERE id = ?",
        (at, message_id, entry_id),
    )


async def mark_failed(db: Database, entry_id: int, error: str, at: int) -> None:
    """The message could not be delivered, for good (`error` says why)."""
    await db.execute(
        "UPDATE ledger SET status = 'failed', error = ?, done_at = ? WHERE id = ?",
        (error, at, entry_id),
    )


async def mark_retry(db: Database, entry_id: int, error: str) -> None:
    """The message did not go out this time; it waits for the next run."""
    await db.execute(
        "UPDATE ledger SET status = 'pending', error = ? WHERE id = ?", (error, entry_id)
    )


async def entries(db: Database, kind: str, period_key: str | None = None) -> list[Entry]:
    """Every row of one kind (and period), by id."""
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM ledger WHERE kind = ? AND (? IS NULL OR period_key = ?) ORDER BY id",
        (kind, period_key, period_key),
    )
    return [_entry(r) for r in rows]


async def counts(db: Database, kind: str) -> dict[str, int]:
    """How many rows of one kind are in each status."""
    rows = await db.fetchall(
        "SELECT status, COUNT(*) AS n FROM ledger WHERE kind = ? GROUP BY status", (kind,)
    )
    return {r["status"]: r["n"] for r in rows}


async def failed_with(db: Database, kind: str, error: str) -> list[Entry]:
    """Rows of one kind that failed for this reason."""
    rows = await db.fetchall(
        f"SELECT {_COLS} FROM ledger WHERE kind = ? AND status = 'failed' AND error = ? "
        "ORDER BY id",
        (kind, error),
    )
    return [_entry(r) for r in rows]


async def by_family_and_status(db: Database) -> list[tuple[str, str, int]]:
    """(family, status, count): the family is the kind up to its ':' ('reminder' …)."""
    rows = await db.fetchall(
        "SELECT substr(kind, 1, instr(kind || ':', ':') - 1) AS family, status, COUNT(*) AS n "
        "FROM ledger GROUP BY 1, 2 ORDER BY 1, 2"
    )
    return [(r["family"], r["status"], r["n"]) for r in rows]


async def failed_in(db: Database, family: str, unit: Unit, since: int) -> list[dict[str, Any]]:
    """Rows of a family ('reminder') that failed since `since`, to staff holding a unit in
    `unit`'s subtree or about a household in it: kind (without the family), period,
    recipient's name and code, error, when."""
    level = f"u.l{int(unit.level)}_id"
    rows = await db.fetchall(
        "SELECT l.id, substr(l.kind, length(?) + 2) AS kind, "
        "COALESCE(json_extract(l.payload, '$.period'), l.period_key) AS period, "
        "l.period_key, l.recipient, l.staff_id, l.household_id, l.error, l.created_at, "
        "COALESCE(s.name, h.head_name, '') AS name, COALESCE(s.code, h.code, '') AS code "
        "FROM ledger l LEFT JOIN staff s ON s.id = l.staff_id "
        "LEFT JOIN households h ON h.id = l.household_id "
        "WHERE l.status = 'failed' AND l.kind LIKE ? || ':%' AND l.created_at >= ? AND ("
        " EXISTS (SELECT 1 FROM staff_units su JOIN units u ON u.id = su.unit_id "
        f"  WHERE su.staff_id = l.staff_id AND {level} = ?) OR "
        f" EXISTS (SELECT 1 FROM units u WHERE u.id = h.micro_grid_id AND {level} = ?)) "
        "ORDER BY l.created_at, l.id",
        (family, family, since, unit.id, unit.id),
    )
    return [dict(r) for r in rows]
