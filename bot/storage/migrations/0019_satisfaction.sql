-- The satisfaction call-back (回访) and "me too" (我也遇到). All times INTEGER unix seconds (UTC).

-- A resolved report waits this long for the resident's confirmation, then the sweep closes it.
ALTER TABLE reports ADD COLUMN confirm_due_at INTEGER;
-- Set when a dissatisfied answer comes past the reopen limit: the report wants supervision
-- (督办); cleared by whoever supervises it.
ALTER TABLE reports ADD COLUMN supervision_wanted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reports_confirm_due ON reports(confirm_due_at) WHERE status = 'resolved';

-- Other residents who have the same problem: one row per household (or per person when
-- the person is linked to no household), told of the resolution and asked their own rating.
CREATE TABLE report_affected (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    who         TEXT    NOT NULL,               -- 'hh:<household id>' or 'tg:<user id>'
    household_id INTEGER REFERENCES households(id),
    tg_user_id  INTEGER NOT NULL,               -- the person who pressed (or the reporter
                                                -- of a duplicate carried over)
    name        TEXT    NOT NULL,
    chat_id     INTEGER NOT NULL,               -- where they are told
    at          INTEGER NOT NULL,
    UNIQUE (report_id, who)
);

-- The call-back: one row per report and person asked (the reporter, each affected
-- household), the question asked once, answered once.
CREATE TABLE report_ratings (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    rater       TEXT    NOT NULL,               -- 'reporter' or the affected row's `who`
    tg_user_id  INTEGER NOT NULL,               -- the person asked
    chat_id     INTEGER NOT NULL,
    asked_at    INTEGER NOT NULL,
    rating      TEXT,                           -- satisfied, fair, dissatisfied; NULL: not yet
    comment     TEXT    NOT NULL DEFAULT '',
    answered_at INTEGER,
    by_staff_id INTEGER REFERENCES staff(id),   -- recorded by the worker on the household's word
    UNIQUE (report_id, rater)
);
CREATE INDEX report_ratings_answered ON report_ratings(answered_at) WHERE rating IS NOT NULL;
