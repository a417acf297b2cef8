-- What a report carries besides its words: one recording (voice, audio or video note) and one
-- shared location. Telegram's references only (file_id to re-send it), never the content.
-- A row belongs to a draft while the report is filed, then to the report too; the draft
-- may be pruned later (no reference to it), the report's rows stay.
CREATE TABLE report_attachments (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER NOT NULL,
    report_id       INTEGER REFERENCES reports(id),
    slot            TEXT    NOT NULL CHECK (slot IN ('recording', 'location')),
    kind            TEXT    NOT NULL CHECK (kind IN ('voice', 'audio', 'video_note', 'location')),
    file_id         TEXT,
    file_unique_id  TEXT,
    duration        INTEGER,                -- seconds
    size            INTEGER,                -- bytes, as Telegram reported it
    mime_type       TEXT,
    latitude        REAL,
    longitude       REAL,
    created_at      INTEGER NOT NULL,
    UNIQUE (draft_id, slot)
);
CREATE INDEX report_attachments_report ON report_attachments(report_id) WHERE report_id IS NOT NULL;
