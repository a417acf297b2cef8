-- The durable inbox: every update fetched from Telegram is stored here (one transaction per
-- fetched batch) before the next getUpdates call confirms it to Telegram, and marked done when
-- its handlers have finished. Unfinished updates are handled again after a restart.
CREATE TABLE inbox_updates (
    update_id   INTEGER PRIMARY KEY,
    chat_key    INTEGER NOT NULL,           -- the chat (or user) whose updates run in order
    payload     TEXT    NOT NULL,           -- the update as Telegram sent it (JSON)
    received_at INTEGER NOT NULL,
    done_at     INTEGER
);

CREATE INDEX inbox_updates_pending ON inbox_updates (update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_updates_done ON inbox_updates (done_at) WHERE done_at IS NOT NULL;
