-- The cadres' side: scheduled sends (digests, assessments), announcements and their delivery.

-- One row per scheduled message to one person for one period, claimed BEFORE sending so a
-- restart never sends it twice (status: pending → sent | failed).
CREATE TABLE digest_sends (
    kind        TEXT    NOT NULL,           -- 'daily', 'weekly', 'assessment'
    period_key  TEXT    NOT NULL,           -- '2026-06-09', '2026-W24', '2026-05'
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    status      TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    claimed_at  INTEGER NOT NULL,
    done_at     INTEGER,
    PRIMARY KEY (kind, period_key, staff_id, unit_id)
) WITHOUT ROWID;

-- An announcement from a cadre to every active group of a unit.
-- status: composing (waiting for the text) → preview → queued → running → done | cancelled
CREATE TABLE announcements (
    id                  INTEGER PRIMARY KEY,
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    staff_id            INTEGER NOT NULL REFERENCES staff(id),
    chat_id             INTEGER NOT NULL,   -- the cadre's private chat (progress, final count)
    status              TEXT    NOT NULL,
    body_html           TEXT    NOT NULL DEFAULT '',
    photo_file_id       TEXT,
    progress_message_id INTEGER,
    total               INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    queued_at           INTEGER,
    started_at          INTEGER,
    finished_at         INTEGER
);
CREATE INDEX announcements_status ON announcements(status, id);
CREATE INDEX announcements_chat ON announcements(chat_id, status);

-- One row per target group; status pending → sent | failed (error says why).
CREATE TABLE announcement_targets (
    announcement_id INTEGER NOT NULL REFERENCES announcements(id),
    chat_id         INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',
    error           TEXT    NOT NULL DEFAULT '',
    at              INTEGER,
    PRIMARY KEY (announcement_id, chat_id)
) WITHOUT ROWID;
CREATE INDEX announcement_targets_status ON announcement_targets(announcement_id, status);

-- The board lists a village's open reports; assessment reads a month of report history.
CREATE INDEX reports_micro_grid_status ON reports(micro_grid_id, status, created_at);
CREATE INDEX report_events_staff ON report_events(staff_id, at);
