"""Migration 0014 moves both kinds' history and staff copies into the shared case tables,
keeping every step's number above those its kind used before (they name sent notices)."""

from __future__ import annotations

import sqlite3

from bot.storage.db import _migrations


def test_history_and_copies_of_both_kinds_move_into_the_case_tables() -> None:
    conn = sqlite3.connect(":memory:")  # foreign keys off: only the moved tables are filled
    steps = _migrations()
    for version, _, sql in steps:
        if version < 14:
            conn.executescript(sql)
    conn.executescript(
        "INSERT INTO report_events (id, report_id, at, action, to_status, level, actor) "
        "VALUES (1, 7, 10, 'filed', 'new', 4, 'tg:9'), (3, 7, 20, 'accept', 'accepted', 4, 'x');"
        "INSERT INTO pension_events (id, request_id, at, action, to_status, level, actor, "
        "visit_at) VALUES (1, 2, 10, 'requested', 'open', 4, 'tg:9', NULL), "
        "(2, 2, 30, 'schedule', 'scheduled', 4, 'staff:L4A', 99);"
        "INSERT INTO report_notices VALUES (7, 5, 500, 41, 1, 20);"
        "INSERT INTO pension_notices (request_id, staff_id, chat_id, message_id, delivered, at) "
        "VALUES (2, 5, 500, 42, 1, 30);"
    )
    [(_, _, sql)] = [step for step in steps if step[0] == 14]
    conn.executescript(sql)
    events = conn.execute(
        "SELECT id, kind, case_id, action, visit_at FROM case_events ORDER BY id"
    ).fetchall()
    assert events == [
        (1, "report", 7, "filed", None),
        (3, "report", 7, "accept", None),
        (4, "home_visit", 2, "requested", None),
        (5, "home_visit", 2, "schedule", 99),
    ]
    copies = conn.execute("SELECT kind, case_id, message_id FROM case_notices ORDER BY id")
    assert copies.fetchall() == [("report", 7, 41), ("home_visit", 2, 42)]
    old = conn.execute(
        "SELECT name FROM sqlite_master WHERE name IN "
        "('report_events', 'pension_events', 'report_notices', 'pension_notices')"
    )
    assert old.fetchall() == []
