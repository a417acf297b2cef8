-- One history and one list of staff copies for every kind of case (reports, home visits);
-- each kind keeps its details (and, for now, its state) in its own table.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,       -- report, home_visit
    case_id     INTEGER NOT NULL,       -- reports.id or pension_requests.id
    at          INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    level       INTEGER,
    actor       TEXT    NOT NULL,       -- 'staff:<code>', 'tg:<user id>' or 'system'
    staff_id    INTEGER REFERENCES staff(id),
    visit_at    INTEGER,                -- a scheduled home visit
    note        TEXT    NOT NULL DEFAULT ''
);
INSERT INTO case_events (id, kind, case_id, at, action, from_status, to_status, level, actor,
                         staff_id, note)
    SELECT id, 'report', report_id, at, action, from_status, to_status, level, actor, staff_id,
           note
    FROM report_events;
-- A step's number names the notices it caused (outbox keys): numbers after the reports'
-- keep every home visit's new steps above the numbers its old steps used.
INSERT INTO case_events (id, kind, case_id, at, action, from_status, to_status, level, actor,
                         staff_id, visit_at, note)
    SELECT id + (SELECT COALESCE(MAX(id), 0) FROM report_events), 'home_visit', request_id, at,
           action, from_status, to_status, level, actor, staff_id, visit_at, note
    FROM pension_events;
CREATE INDEX case_events_case ON case_events(kind, case_id, id);
CREATE INDEX case_events_action ON case_events(kind, action, at);
DROP TABLE report_events;
DROP TABLE pension_events;

-- Private messages sent to staff about a case (so their buttons can be refreshed), and staff
-- who could not be reached privately.
CREATE TABLE case_notices (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    case_id     INTEGER NOT NULL,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    chat_id     INTEGER,
    message_id  INTEGER,
    delivered   INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
INSERT INTO case_notices (kind, case_id, staff_id, chat_id, message_id, delivered, at)
    SELECT 'report', report_id, staff_id, chat_id, message_id, delivered, at FROM report_notices
    UNION ALL
    SELECT 'home_visit', request_id, staff_id, chat_id, message_id, delivered, at
    FROM pension_notices;
CREATE INDEX case_notices_case ON case_notices(kind, case_id, delivered);
DROP TABLE report_notices;
DROP TABLE pension_notices;
