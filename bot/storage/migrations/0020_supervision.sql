-- Supervision (督办) and urging (催办) of reports.
-- A supervision: an L1/L2 cadre's instruction on an open report and the time by which its
-- owner must answer with progress. A report may be supervised again once the last one is
-- answered or lapsed; the latest row is the report's supervision. All times are INTEGER
-- unix seconds (UTC).
CREATE TABLE report_supervisions (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    by_staff_id  INTEGER NOT NULL REFERENCES staff(id),   -- the cadre
    instruction  TEXT    NOT NULL,
    set_at       INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    answered_at  INTEGER,                                  -- progress answered
    answered_by  INTEGER REFERENCES staff(id),
    answer       TEXT    NOT NULL DEFAULT '',
    lapsed_at    INTEGER                                   -- due passed unanswered: escalated
);
CREATE INDEX report_supervisions_report ON report_supervisions(report_id, id);
CREATE INDEX report_supervisions_waiting ON report_supervisions(due_at)
    WHERE answered_at IS NULL AND lapsed_at IS NULL;

-- A reporter's urging (催办) of their report: one row per press that counted.
CREATE TABLE report_urges (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    tg_user_id  INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX report_urges_report ON report_urges(report_id, at);
