-- Who was asked what, in which chat, by which flow, until when: the one record of the
-- questions waiting for a person's text (handlers.private_text routes the answer by it).
-- A flow that routes typed text keeps one row per person and chat, replaced when it asks
-- again (a new id: the most recent question has the highest id); notes asked with a forced
-- reply keep one row per question message. All times are INTEGER unix seconds (UTC).
CREATE TABLE pending_questions (
    id          INTEGER PRIMARY KEY,
    tg_user_id  INTEGER NOT NULL,               -- who was asked
    chat_id     INTEGER NOT NULL,               -- where
    flow        TEXT    NOT NULL,               -- flow, logbook, announcement, note
    kind        TEXT    NOT NULL DEFAULT '',    -- what is asked within it (a note: the move)
    subject_id  INTEGER,                        -- what the question is about (a report …)
    message_id  INTEGER,                        -- the question's message, when known
    asked_at    INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    UNIQUE (chat_id, message_id)
);
CREATE INDEX pending_questions_expiry ON pending_questions(expires_at);
CREATE INDEX pending_questions_person ON pending_questions(tg_user_id, flow);

-- A worker's note asked with a forced reply (resolve, reject, duplicate) was kept in
-- pending_notes: moved here, waiting as long as retention kept it (seven days by default).
INSERT INTO pending_questions (tg_user_id, chat_id, flow, kind, subject_id, message_id,
                               asked_at, expires_at)
SELECT tg_user_id, chat_id, 'note', action, report_id, message_id, created_at,
       created_at + 7 * 86400
FROM pending_notes ORDER BY created_at, rowid;
DROP TABLE pending_notes;

-- Who asked last used to be a marker in the person's persisted user_data: carried over (for
-- the default six hours of [flows] timeout), then removed from there.
INSERT INTO pending_questions (tg_user_id, chat_id, flow, asked_at, expires_at)
SELECT user_id, user_id, json_extract(data, '$.asked'), updated_at, updated_at + 6 * 3600
FROM flow_user_data
WHERE json_valid(data) AND json_extract(data, '$.asked') IN ('flow', 'logbook', 'announcement');
UPDATE flow_user_data SET data = json_remove(data, '$.asked', '$.asked_changed')
WHERE json_valid(data)
  AND (json_type(data, '$.asked') IS NOT NULL OR json_type(data, '$.asked_changed') IS NOT NULL);
