-- Step-by-step flows: conversation persistence, questionnaire answers, pension-authentication
-- requests and their history. All times are INTEGER unix seconds (UTC).

-- PTB persistence (bot/persistence.py), as JSON: which step each person's flow is at, and the
-- per-user / per-chat scratch a flow keeps until it finishes. Never the bot's runtime.
CREATE TABLE flow_conversations (
    name        TEXT    NOT NULL,               -- the ConversationHandler's name
    key         TEXT    NOT NULL,               -- JSON array, e.g. [chat_id, user_id]
    state       TEXT    NOT NULL,               -- JSON
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (name, key)
) WITHOUT ROWID;

CREATE TABLE flow_user_data (
    user_id     INTEGER PRIMARY KEY,
    data        TEXT    NOT NULL,               -- JSON object
    updated_at  INTEGER NOT NULL
);

CREATE TABLE flow_chat_data (
    chat_id     INTEGER PRIMARY KEY,
    data        TEXT    NOT NULL,               -- JSON object
    updated_at  INTEGER NOT NULL
);

-- One questionnaire answered by one household in one survey round (stored only when finished).
CREATE TABLE survey_responses (
    id              INTEGER PRIMARY KEY,
    round_code      TEXT    NOT NULL,
    questionnaire   TEXT    NOT NULL,           -- the questionnaire's id
    household_id    INTEGER NOT NULL REFERENCES households(id),
    micro_grid_id   INTEGER NOT NULL REFERENCES units(id),
    tg_user_id      INTEGER NOT NULL,           -- who answered for the household
    report_id       INTEGER REFERENCES reports(id),  -- the problem it filed, if any
    submitted_at    INTEGER NOT NULL,
    UNIQUE (round_code, household_id)
);
CREATE INDEX survey_responses_round_unit ON survey_responses(round_code, micro_grid_id);
CREATE INDEX survey_responses_submitted ON survey_responses(submitted_at);

CREATE TABLE survey_answers (
    response_id     INTEGER NOT NULL REFERENCES survey_responses(id),
    question_id     TEXT    NOT NULL,
    position        INTEGER NOT NULL,           -- the question's place in the questionnaire
    question_type   TEXT    NOT NULL,           -- single, multiple, rating, yes_no, number, text
    value_text      TEXT,                       -- choice, yes/no, text; JSON array for multiple
    value_num       REAL,                       -- rating or number
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;
CREATE INDEX survey_answers_question ON survey_answers(question_id, question_type);

-- Pension-authentication help (养老认证). A home visit is a task for the micro-grid's worker
-- (open → scheduled → done | failed, escalating past its deadline); self-service and
-- service-point guidance is recorded as 'guided'. Only the ID number's last 4 characters.
CREATE TABLE pension_requests (
    id                  INTEGER PRIMARY KEY,
    mode                TEXT    NOT NULL,       -- home_visit, self_service, service_point
    status              TEXT    NOT NULL,       -- open, scheduled, done, failed, guided
    for_self            INTEGER NOT NULL,
    person_name         TEXT    NOT NULL,
    id_last4            TEXT    NOT NULL CHECK (length(id_last4) = 4),
    phone               TEXT    NOT NULL,
    requester_tg_id     INTEGER NOT NULL,
    requester_name      TEXT    NOT NULL,
    household_id        INTEGER REFERENCES households(id),
    micro_grid_id       INTEGER REFERENCES units(id),
    level               INTEGER,                -- where a home visit waits now (4 → 1)
    unit_id             INTEGER REFERENCES units(id),
    owner_staff_id      INTEGER REFERENCES staff(id),
    escalations         INTEGER NOT NULL DEFAULT 0,
    overdue             INTEGER NOT NULL DEFAULT 0,
    due_at              INTEGER,
    visit_at            INTEGER,                -- the scheduled visit
    outcome_note        TEXT    NOT NULL DEFAULT '',
    source_chat_id      INTEGER NOT NULL,
    source_message_id   INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    closed_at           INTEGER,
    UNIQUE (source_chat_id, source_message_id)
);
CREATE INDEX pension_requests_unit_status ON pension_requests(unit_id, status);
CREATE INDEX pension_requests_micro_grid ON pension_requests(micro_grid_id, created_at);
CREATE INDEX pension_requests_owner ON pension_requests(owner_staff_id, status);
CREATE INDEX pension_requests_requester ON pension_requests(requester_tg_id, created_at);
CREATE INDEX pension_requests_created ON pension_requests(created_at);
CREATE INDEX pension_requests_due ON pension_requests(due_at)
    WHERE status IN ('open', 'scheduled');

CREATE TABLE pension_events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES pension_requests(id),
    at          INTEGER NOT NULL,
    action      TEXT    NOT NULL,   -- requested, guided, schedule, done, fail, escalate_overdue, overdue
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    level       INTEGER,
    actor       TEXT    NOT NULL,   -- 'staff:<code>', 'tg:<user id>' or 'system'
    staff_id    INTEGER REFERENCES staff(id),
    visit_at    INTEGER,
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX pension_events_request ON pension_events(request_id, id);
CREATE INDEX pension_events_action ON pension_events(action, at);

-- Private messages sent to staff about a home visit (so their buttons can be refreshed).
CREATE TABLE pension_notices (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES pension_requests(id),
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    chat_id     INTEGER,
    message_id  INTEGER,
    delivered   INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX pension_notices_request ON pension_notices(request_id, delivered);
