-- The durable outbox: every notice a state change causes is written here in the same
-- transaction as the change, and a sender delivers it (retrying what may pass, giving up on
-- what cannot). status: pending → sent | failed.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    dedupe_key  TEXT    NOT NULL UNIQUE,    -- a re-handled update cannot enqueue twice
    method      TEXT    NOT NULL,           -- Bot API method, e.g. 'sendMessage'
    chat_id     INTEGER NOT NULL,
    params      TEXT    NOT NULL,           -- JSON: the method's parameters but chat_id
    recipient   TEXT    NOT NULL,           -- 'staff', 'resident', 'group'
    subject     TEXT    NOT NULL DEFAULT '',-- what it is about: 'report:12', 'pension:3', ''
    staff_id    INTEGER,                    -- the staff member it goes to, if any
    fallback    TEXT,                       -- JSON of a row to enqueue when Telegram says 403
    status      TEXT    NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    done_at     INTEGER,
    message_id  INTEGER,                    -- what Telegram gave back
    error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_chat ON outbox(chat_id, status, id);
CREATE INDEX outbox_subject ON outbox(subject, status);
CREATE INDEX outbox_done ON outbox(status, done_at);
