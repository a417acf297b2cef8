"""Thousands of generated updates from residents and strangers against the real bot.

Nothing may reach the error handler, and nothing may change that these people may not change:
no report moves, no bindings, no staff links, no household links, no work logged.
`GRIDBOT_FUZZ_UPDATES` (default 2000) and `GRIDBOT_FUZZ_SEED` (default 20260610) set the run.
"""

from __future__ import annotations

import logging
import os
import random
import traceback
from pathlib import Path
from typing import Any

import pytest

from sandbox.state import Chat, User
from tests.e2e.flowsteps import link_household
from tests.e2e.fuzzing import Cast, UpdateMaker
from tests.e2e.harness import Harness, buttons
from tests.e2e.reporting import ACCEPT, RESOLVE, file_report, note, press_on

UPDATES = int(os.environ.get("GRIDBOT_FUZZ_UPDATES", "2000"))
SEED = int(os.environ.get("GRIDBOT_FUZZ_SEED", "20260610"))
# Work only staff may do, and records only staff actions make.
STAFF_TABLES = ("contacts", "checkins", "announcements", "invitations", "staff", "staff_units")
# What a resident may do: file, ask to be linked, ask for a home visit, answer the survey.
RESIDENT_ACTIONS = ("report.file", "household.link_request", "pension.request", "survey.submit")
WATCHED_LOGGERS = ("handlers", "bot", "services", "telegram", "scheduler")


ROOT = str(Path(__file__).resolve().parents[2])


def _gist(update: dict[str, Any]) -> str:
    """An update in short: its kind and the parts that matter for reproducing it."""
    kind = next(k for k in update if k != "update_id")
    body = update[kind]
    if kind == "callback_query":
        return f"press {body.get('data')!r} on message {body['message']['message_id']}"
    text = body.get("text") or body.get("caption") if isinstance(body, dict) else None
    return f"{kind} {text[:120]!r}" if text else kind


async def _rows(h: Harness, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await h.db.fetchall(sql)]


def _assert_no_errors(caplog: pytest.LogCaptureFixture, done: dict[int, str], seed: int) -> None:
    """No error was logged; else the first few, with the updates that caused them."""
    failures = [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.split(".")[0] in WATCHED_LOGGERS
    ]
    described = []
    for record in failures[:5]:
        update_id = record.args[0] if isinstance(record.args, tuple) and record.args else None
        described.append(f"{record.getMessage()}\n  {done.get(update_id, '?')}")
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            ours = [
                f
                for f in traceback.extract_tb(error.__traceback__)
                if ROOT in f.filename and ".venv" not in f.filename
            ]
            where = f" at {ours[-1].filename}:{ours[-1].lineno}" if ours else ""
            described.append(f"  {type(error).__name__}: {error}{where}")
    assert not failures, f"{len(failures)} errors (seed {seed}):\n" + "\n".join(described)


async def snapshot(h: Harness) -> dict[str, Any]:
    """What residents and strangers must not be able to change."""
    shot: dict[str, Any] = {
        "reports": await _rows(
            h,
            "SELECT id, status, level, unit_id, owner_staff_id, micro_grid_id, source_chat_id, "
            "reopen_count, closed_at FROM reports ORDER BY id",
        ),
        "events": await _rows(h, "SELECT id, kind, case_id, action FROM case_events ORDER BY id"),
        "groups": await _rows(h, "SELECT chat_id, micro_grid_id, active FROM groups ORDER BY 1"),
        "links": await _rows(
            h, "SELECT tg_user_id, household_id FROM people WHERE household_id IS NOT NULL"
        ),
        "decided": await _rows(
            h, "SELECT id, status FROM household_link_requests WHERE status != 'pending'"
        ),
        "pension_moves": await _rows(
            h, "SELECT id, status, owner_staff_id FROM pension_requests ORDER BY id"
        ),
    }
    for table in STAFF_TABLES:
        shot[table] = await _rows(h, f"SELECT * FROM {table} ORDER BY 1")
    marks = ",".join("?" * len(RESIDENT_ACTIONS))
    shot["audit"] = [
        tuple(r)
        for r in await h.db.fetchall(
            f"SELECT id, actor, action FROM audit_log WHERE action NOT IN ({marks}) ORDER BY id",
            RESIDENT_ACTIONS,
        )
    ]
    return shot


async def _cast(h: Harness) -> tuple[Cast, User, list[int]]:
    """Two bound groups and an unbound one, reports in every state, and the fuzzing people."""
    worker = await h.staff("L4A", "张秀兰")
    worker_b = await h.staff("L4B", "王芳")
    reporter = h.user("王秀英")
    resident = h.user("李德福")
    stranger = h.user("Mallory", language_code="en")
    drifter = h.user("陌生人")
    loner = h.user("Eve", language_code="ru")
    group_a = await h.group("益家冲组联系群", [reporter, worker, resident, stranger], "M1", worker)
    group_b = await h.group("渣塘冲组联系群", [worker_b, stranger, drifter], "M2", worker_b)
    group_c = await h.group("闲聊群", [drifter, resident])
    await link_household(h, resident, "M1-H2")
    numbers = [await file_report(h, reporter, group_a, text=f"问题{n}") for n in range(3)]
    await press_on(h, worker, numbers[1], ACCEPT)
    await press_on(h, worker, numbers[2], RESOLVE)
    await note(h, worker, "修好了")
    assert "👍 确认解决" in buttons(h.last(group_a))
    await file_report(h, resident, resident, text="私下反映的问题")
    for person in (resident, stranger, drifter, loner):
        await h.send(person, person, "/start")
    groups: list[Chat] = [group_a, group_b, group_c]
    return Cast([resident, stranger, drifter, loner], groups, h.sb.bot), resident, numbers


async def test_generated_updates_never_crash_the_bot_nor_change_what_they_may_not(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    cast, resident, _ = await _cast(h)
    before = await snapshot(h)
    first_new = int(await h.db.scalar("SELECT MAX(id) FROM reports")) + 1
    maker = UpdateMaker(h.sb, cast, random.Random(SEED))
    done: dict[int, str] = {}
    with caplog.at_level(logging.WARNING):
        for n in range(UPDATES):
            what, injected = maker.next()
            if injected is None:
                continue
            for update in injected.updates:
                done[update["update_id"]] = f"#{n} {what}: {_gist(update)}"
            await h.settle(injected)
    # Group privacy hides plain group texts from the bot; most of the rest must arrive.
    assert len(done) > UPDATES // 2, len(done)
    _assert_no_errors(caplog, done, SEED)

    after = await snapshot(h)
    old_reports = len(before["reports"])
    assert after["reports"][:old_reports] == before["reports"]
    assert after["events"][: len(before["events"])] == before["events"]
    for name in ("groups", "links", "decided", "audit", *STAFF_TABLES):
        assert after[name] == before[name], name
    assert after["pension_moves"][: len(before["pension_moves"])] == before["pension_moves"]
    # New reports: only by group members in their bound group (or the linked resident in
    # private), and all still waiting for a worker.
    members = {g.id: set(g.members) for g in cast.groups}
    for row in await h.db.fetchall(
        "SELECT id, reporter_tg_id, source_chat_id, status FROM reports WHERE id >= ?",
        (first_new,),
    ):
        assert row["status"] == "new", tuple(row)
        chat = row["source_chat_id"]
        assert row["reporter_tg_id"] in members.get(chat, set()) or (
            chat == resident.id == row["reporter_tg_id"]
        ), tuple(row)
    new_events = after["events"][len(before["events"]) :]
    assert {e[3] for e in new_events} <= {"filed"}, new_events


async def test_generated_updates_from_staff_never_crash_the_bot(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    cast, _, _ = await _cast(h)
    staff = [await h.staff(code) for code in ("C1", "V1C", "L3A")]
    worker = h.users["张秀兰"]
    for chat in cast.groups[:2]:
        for person in staff:
            await h.settle(h.sb.join(person, chat))
    cast.actors = [*staff, worker]
    maker = UpdateMaker(h.sb, cast, random.Random(SEED + 1))
    done: dict[int, str] = {}
    with caplog.at_level(logging.WARNING):
        for n in range(UPDATES // 2):
            what, injected = maker.next()
            for update in injected.updates if injected else ():
                done[update["update_id"]] = f"#{n} {what}: {_gist(update)}"
            if injected is not None:
                await h.settle(injected)
    _assert_no_errors(caplog, done, SEED + 1)
