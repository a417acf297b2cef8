"""How long a digest takes on a county-sized database (30 times the sample town).

    .venv/bin/python -m bench.digest [--scale 30]

Builds a temporary SQLite file with 30 towns like the sample one (each 7 villages, 84
grids, ~1 080 micro-grids, ~13 000 households: ~390 000 households in all), thousands of
reports with their history and a month of contacts, then times the digest of one town, one
village and one grid: the report figures alone (the aggregated SQL) and the whole digest
(with compliance, pension visits, failed sends and survey averages).
Times are printed in milliseconds and as a ratio to a baseline measured in the same run
(one full scan of the reports table), so machines of different speed compare.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import to_ts
from bot.config import Config
from bot.storage import digest as digest_store
from bot.storage import grid
from bot.storage.db import Database
from models.digest import SpanKind, span_to_date
from services.digest import build_digest

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
STATUSES = ["closed"] * 6 + ["resolved"] * 2 + ["accepted", "new", "rejected"]


async def build(db: Database, scale: int, rng: random.Random) -> None:
    """Fill the database: units, staff, households, reports, events, contacts."""
    at = to_ts(NOW - timedelta(days=200))
    units, staff, links, households = [], [], [], []
    next_id = 1
    micro_grids = []
    for t in range(scale):
        town = next_id
        next_id += 1
        units.append((town, f"T{t}", f"镇{t}", 1, None, town, None, None, None, at, at))
        for v in range(7):
            village = next_id
            next_id += 1
            units.append(
                (village, f"T{t}V{v}", f"村{v}", 2, town, town, village, None, None, at, at)
            )
            for g in range(12):
                grid_id = next_id
                next_id += 1
                units.append(
                    (
                        grid_id,
                        f"T{t}V{v}G{g}",
                        f"网格{g}",
                        3,
                        village,
                        town,
                        village,
                        grid_id,
                        None,
                        at,
                        at,
                    )
                )
                for m in range(13 if g else 12):
                    mg = next_id
                    next_id += 1
                    units.append(
                        (
                            mg,
                            f"T{t}V{v}G{g}M{m}",
                            f"组{mg}",
                            4,
                            grid_id,
                            town,
                            village,
                            grid_id,
                            mg,
                            at,
                            at,
                        )
                    )
                    micro_grids.append(mg)
    for mg in micro_grids:
        staff.append((mg, f"S{mg}", f"网格员{mg}", "13800000000", 4, at, at))
        links.append((mg, mg))
        for h in range(12):
            households.append((len(households) + 1, f"H{mg}-{h}", mg, f"户主{h}", at, at, at))
    async with db.transaction():
        await db.executemany(
            "INSERT INTO units (id, code, name, level, parent_id, l1_id, l2_id, l3_id, l4_id, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            units,
        )
        await db.executemany(
            "INSERT INTO staff (id, code, name, phone, level, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            staff,
        )
        await db.executemany("INSERT INTO staff_units (staff_id, unit_id) VALUES (?, ?)", links)
        await db.executemany(
            "INSERT INTO households (id, code, micro_grid_id, head_name, added_at, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            households,
        )
        reports, events = [], []
        for n in range(1, 1000 * scale + 1):
            mg = rng.choice(micro_grids)
            status = rng.choice(STATUSES)
            created = to_ts(NOW) - rng.randrange(180 * 86400)
            solved = status in ("closed", "resolved")
            reports.append(
                (
                    n,
                    mg,
                    rng.choice(("infrastructure", "policy", "dispute", "other")),
                    status,
                    mg,
                    int(solved and rng.random() < 0.85),
                    int(rng.random() < 0.1),
                    created,
                )
            )
            events.append((n, created + 600, "accept", "new", "accepted", mg))
            if status in ("closed", "resolved"):
                events.append((n, created + 7200, "resolve", "accepted", "resolved", mg))
        await db.executemany(
            "INSERT INTO reports (id, micro_grid_id, category, description, reporter_tg_id, "
            "reporter_name, source_chat_id, source_message_id, status, level, unit_id, "
            "solved_on_spot, overdue, created_at, updated_at) VALUES (?, ?, ?, 'x', 1, 'r', -1, "
            "?1, ?4, 4, ?5, ?6, ?7, ?8, ?8)",
            reports,
        )
        await db.executemany(
            "INSERT INTO case_events (kind, case_id, at, action, from_status, to_status, level, "
            "actor, staff_id) VALUES ('report', ?, ?, ?, ?, ?, 4, 'staff', ?)",
            events,
        )
        contacts = [
            (h[0], h[2], to_ts(NOW) - rng.randrange(9 * 86400))
            for h in households
            if rng.random() < 0.6
        ]
        await db.executemany(
            "INSERT INTO contacts (household_id, staff_id, kind, outcome, counts_contact, "
            "counts_visit, happened_on, happened_at, logged_at) "
            "VALUES (?, ?, 'visit', 'met', 1, 1, '2026-06-05', ?3, ?3)",
            contacts,
        )
    print(
        f"built: {len(units)} units, {len(households)} households, {len(reports)} reports, "
        f"{len(events)} events, {len(contacts)} contacts"
    )


async def _time(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await work()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


async def main(scale: int, runs: int) -> None:
    """Build the data and print the timings."""
    config = Config()
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        began = time.perf_counter()
        await build(db, scale, random.Random(7))
        print(f"(building took {time.perf_counter() - began:.1f} s)")
        chosen = [
            ("one town", await grid.unit_by_code(db, "T0")),
            ("one village", await grid.unit_by_code(db, "T0V0")),
            ("one grid", await grid.unit_by_code(db, "T0V0G1")),
        ]
        span = span_to_date(SpanKind.WEEK, NOW, config.tz)

        async def baseline() -> None:
            await db.fetchall("SELECT category, status, COUNT(*) FROM reports GROUP BY 1, 2")

        base = await _time(runs, baseline)
        print(f"baseline (one scan of reports): {base * 1000:.1f} ms")
        for name, unit in chosen:
            assert unit is not None

            async def figures(unit=unit) -> None:  # type: ignore[no-untyped-def]
                await digest_store.report_counts(db, unit, to_ts(span.start), to_ts(span.end))

            async def whole(unit=unit) -> None:  # type: ignore[no-untyped-def]
                async with db.transaction():
                    await build_digest(db, config, unit, span, NOW)

            f, w = await _time(runs, figures), await _time(runs, whole)
            print(
                f"{name}: report figures {f * 1000:.1f} ms ({f / base:.1f}× baseline); "
                f"whole digest {w * 1000:.1f} ms ({w / base:.1f}× baseline)"
            )
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.scale, args.runs))
