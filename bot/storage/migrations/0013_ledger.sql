-- One send-once ledger for reminders, digests, assessments and announcement deliveries,
-- replacing reminder_runs/reminder_sends, digest_sends and announcement_targets.
--
-- A row is one message to one recipient, recorded BEFORE it is sent, at most once per
-- (kind, period_key, recipient). kind: 'reminder:monthly_contact', 'digest:daily',
-- 'digest:weekly', 'digest:assessment', 'announcement:<id>'. period_key: what it is sent
-- once for (a reminder's occurrence '2026-06-20T10:00', a digest's period '2026-06-10',
-- '2026-W24', '2026-05'; '' for an announcement). recipient: 'staff:<id>',
-- 'staff:<id>/unit:<id>', 'person:<tg id>', 'chat:<id>'.
-- status: pending → sending → sent | failed; a row left 'sending' by a stop becomes
-- 'unknown' and is never sent again (a duplicate is worse than a gap); a row still pending
-- at expires_at (its period is over) becomes 'expired'.
CREATE TABLE ledger (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    period_key   TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    chat_id      INTEGER,                -- NULL: the recipient has no Telegram account linked
    staff_id     INTEGER REFERENCES staff(id),
    household_id INTEGER REFERENCES households(id),
    unit_id      INTEGER REFERENCES units(id),
    language     TEXT,
    payload      TEXT    NOT NULL DEFAULT '{}',   -- JSON: what the message says
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed',
                                                    'unknown', 'expired')),
    error        TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    claimed_by   TEXT,                   -- the bot process that marked it 'sending'
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,                -- NULL: never expires
    claimed_at   INTEGER,
    done_at      INTEGER,
    message_id   INTEGER,
    UNIQUE (kind, period_key, recipient)
);
CREATE INDEX ledger_status ON ledger(status, kind, id);
CREATE INDEX ledger_failed ON ledger(created_at) WHERE status = 'failed';

-- Reminders. A pending row's period ended at local midnight; the old rows do not say in
-- which zone, so UTC midnight stands in (a reminder never goes out in the quiet night
-- hours anyway, and the next run expires it).
INSERT INTO ledger (kind, period_key, recipient, chat_id, staff_id, household_id, language,
                    payload, status, error, attempts, claimed_by, created_at, expires_at,
                    claimed_at, done_at)
SELECT 'reminder:' || kind, occurrence, recipient, chat_id, staff_id, household_id, language,
       json_set(payload, '$.period', period), status, error, attempts, claimed_by, created_at,
       CASE
         WHEN period LIKE '____-Q_' THEN CAST(strftime('%s', date(
             substr(period, 1, 4) || '-' || printf('%02d', 3 * CAST(substr(period, 7, 1) AS INTEGER) - 2)
             || '-01', '+3 months')) AS INTEGER)
         WHEN period LIKE '____-W__' THEN CAST(strftime('%s', date(
             substr(period, 1, 4) || '-01-04',
             '-' || ((CAST(strftime('%w', substr(period, 1, 4) || '-01-04') AS INTEGER) + 6) % 7)
             || ' days',
             '+' || (7 * CAST(substr(period, 7, 2) AS INTEGER)) || ' days')) AS INTEGER)
         ELSE CAST(strftime('%s', date(period || '-01', '+1 month')) AS INTEGER)
       END,
       CASE WHEN status = 'pending' THEN NULL ELSE created_at END,
       sent_at
FROM reminder_sends ORDER BY id;

-- Digests and assessments: a row still 'pending' there was claimed and then interrupted.
INSERT INTO ledger (kind, period_key, recipient, chat_id, staff_id, unit_id, status, error,
                    attempts, created_at, claimed_at, done_at)
SELECT 'digest:' || d.kind, d.period_key, 'staff:' || d.staff_id || '/unit:' || d.unit_id,
       s.tg_user_id, d.staff_id, d.unit_id,
       CASE WHEN d.status = 'pending' THEN 'unknown' ELSE d.status END, d.error, 1,
       d.claimed_at, d.claimed_at, d.done_at
FROM digest_sends d JOIN staff s ON s.id = d.staff_id
ORDER BY d.claimed_at, d.kind, d.period_key, d.staff_id, d.unit_id;

-- Announcement deliveries: one row per target group.
INSERT INTO ledger (kind, period_key, recipient, chat_id, status, error, created_at, done_at)
SELECT 'announcement:' || t.announcement_id, '', 'chat:' || t.chat_id, t.chat_id, t.status,
       t.error, COALESCE(a.queued_at, a.created_at), t.at
FROM announcement_targets t JOIN announcements a ON a.id = t.announcement_id
ORDER BY t.announcement_id, t.chat_id;

DROP TABLE reminder_runs;
DROP TABLE reminder_sends;
DROP TABLE digest_sends;
DROP TABLE announcement_targets;
