-- Reports a grid worker files for a household (代报): the household is the reporter (its
-- head's name; reporter_tg_id 0, no Telegram user), the worker the recorder, and whether the
-- problem was collected on a visit or a contact. The draft carries the same until it is filed.
ALTER TABLE reports ADD COLUMN recorded_by_staff_id INTEGER REFERENCES staff(id);
ALTER TABLE reports ADD COLUMN collected_on TEXT;          -- 'visit', 'contact' or NULL
ALTER TABLE report_drafts ADD COLUMN household_id INTEGER REFERENCES households(id);
ALTER TABLE report_drafts ADD COLUMN recorded_by_staff_id INTEGER REFERENCES staff(id);
ALTER TABLE report_drafts ADD COLUMN collected_on TEXT;
CREATE INDEX reports_household ON reports(household_id, created_at);

-- A questionnaire a worker entered for a household (代填): still one per household per round
-- (the first stands); tg_user_id is then the worker's.
ALTER TABLE survey_responses ADD COLUMN entered_by_staff_id INTEGER REFERENCES staff(id);

-- Picking the household a report is filed for uses the logbook's household list: its draft
-- kind 'report' joins the others (SQLite changes a CHECK only by copying the table).
CREATE TABLE household_drafts_new (
    id              INTEGER PRIMARY KEY,
    tg_user_id      INTEGER NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('contact', 'visit', 'checkin', 'report')),
    step            TEXT    NOT NULL,
    household_id    INTEGER REFERENCES households(id),
    outcome         TEXT,
    happened_on     TEXT,
    note            TEXT,
    query           TEXT    NOT NULL DEFAULT '',
    page            INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
);
INSERT INTO household_drafts_new SELECT * FROM household_drafts;
DROP TABLE household_drafts;
ALTER TABLE household_drafts_new RENAME TO household_drafts;
