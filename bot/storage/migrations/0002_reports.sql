-- The report loop: drafts being filed, reports, their history, the messages sent about them.

-- A /report being filed (category or description still missing). Kept in the database so a
-- restart loses nothing; the resident's /report message identifies it (exactly once).
CREATE TABLE report_drafts (
    id                  INTEGER PRIMARY KEY,
    chat_id             INTEGER NOT NULL,
    message_id          INTEGER NOT NULL,
    reporter_tg_id      INTEGER NOT NULL,
    reporter_name       TEXT    NOT NULL,
    micro_grid_id       INTEGER NOT NULL REFERENCES units(id),
    category            TEXT,
    description         TEXT,
    photo_file_id       TEXT,
    question_message_id INTEGER,            -- the bot's forced-reply question, if asked
    report_id           INTEGER,            -- set once filed
    created_at          INTEGER NOT NULL,
    UNIQUE (chat_id, message_id)
);
CREATE INDEX report_drafts_question ON report_drafts(chat_id, question_message_id);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,    -- the town-wide number, shown as #id
    micro_grid_id   INTEGER NOT NULL REFERENCES units(id),
    category        TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    photo_file_id   TEXT,
    reporter_tg_id  INTEGER NOT NULL,
    reporter_name   TEXT    NOT NULL,
    household_id    INTEGER REFERENCES households(id),
    source_chat_id  INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    level           INTEGER NOT NULL,       -- the level it is at now (4 → 1)
    unit_id         INTEGER NOT NULL REFERENCES units(id),  -- the unit at that level
    owner_staff_id  INTEGER REFERENCES staff(id),
    escalations     INTEGER NOT NULL DEFAULT 0,
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    solved_on_spot  INTEGER NOT NULL DEFAULT 0,
    overdue         INTEGER NOT NULL DEFAULT 0,
    duplicate_of    INTEGER REFERENCES reports(id),
    accept_due_at   INTEGER,
    resolve_due_at  INTEGER,
    accepted_in_time INTEGER,               -- 1/0 once first accepted at L4, for assessment
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    accepted_at     INTEGER,
    resolved_at     INTEGER,
    closed_at       INTEGER,
    UNIQUE (source_chat_id, source_message_id)
);
CREATE INDEX reports_micro_grid ON reports(micro_grid_id, created_at);
CREATE INDEX reports_unit_status ON reports(unit_id, status);
CREATE INDEX reports_owner ON reports(owner_staff_id, status);
CREATE INDEX reports_reporter ON reports(reporter_tg_id, created_at);
CREATE INDEX reports_status_created ON reports(status, created_at);
CREATE INDEX reports_accept_due ON reports(accept_due_at) WHERE status = 'new';
CREATE INDEX reports_resolve_due ON reports(resolve_due_at) WHERE status = 'accepted';

CREATE TABLE report_events (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    at          INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    level       INTEGER NOT NULL,
    actor       TEXT    NOT NULL,           -- 'staff:<code>', 'tg:<user id>' or 'system'
    staff_id    INTEGER REFERENCES staff(id),
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX report_events_report ON report_events(report_id, id);
CREATE INDEX report_events_action ON report_events(action, at);

-- Private messages sent to staff about a report (so their buttons can be refreshed), and
-- staff who could not be reached privately (shown in /tasks, mentioned in the group).
CREATE TABLE report_notices (
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    chat_id     INTEGER,
    message_id  INTEGER,
    delivered   INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (report_id, staff_id, at)
);

-- Button presses already applied (Telegram may deliver one again after a restart).
CREATE TABLE applied_presses (
    query_id    TEXT PRIMARY KEY,
    at          INTEGER NOT NULL
);

-- A note the bot asked a worker for (resolve, reject, duplicate) with a forced reply.
CREATE TABLE pending_notes (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,           -- the bot's question
    tg_user_id  INTEGER NOT NULL,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    action      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
