-- Households: contacts and visits, check-ins, household links, reminders.
-- All times are INTEGER unix seconds (UTC); `happened_on` is the town's local date.

-- A contact (phone, message, in person) or a home visit (met, not at home) with a household.
-- `counts_contact` / `counts_visit` say what it fulfils (a visit where the household was met
-- counts as that month's contact too; one where nobody was home fulfils neither).
CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    staff_id        INTEGER NOT NULL REFERENCES staff(id),
    kind            TEXT    NOT NULL CHECK (kind IN ('contact', 'visit')),
    outcome         TEXT    NOT NULL,
    counts_contact  INTEGER NOT NULL,
    counts_visit    INTEGER NOT NULL,
    happened_on     TEXT    NOT NULL,
    happened_at     INTEGER NOT NULL,
    note            TEXT    NOT NULL DEFAULT '',
    lat             REAL,
    lon             REAL,
    logged_at       INTEGER NOT NULL
);
CREATE INDEX contacts_household ON contacts(household_id, happened_at);
CREATE INDEX contacts_counted ON contacts(household_id, happened_at) WHERE counts_contact = 1;
CREATE INDEX visits_counted ON contacts(household_id, happened_at) WHERE counts_visit = 1;
CREATE INDEX contacts_staff ON contacts(staff_id, happened_at);
CREATE INDEX contacts_happened ON contacts(happened_at);

-- A staff member's shared location: presence in the grid for the week. `flagged` when it lies
-- far outside every area the staff member's units record (never when no area is recorded).
CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    unit_id     INTEGER REFERENCES units(id),   -- the held unit nearest to the location
    lat         REAL    NOT NULL,
    lon         REAL    NOT NULL,
    distance_m  REAL,                           -- from that unit's centre, when recorded
    flagged     INTEGER NOT NULL DEFAULT 0,
    at          INTEGER NOT NULL
);
CREATE INDEX checkins_staff ON checkins(staff_id, at);
CREATE INDEX checkins_at ON checkins(at);

-- A /visit, /contact or /checkin in progress (one per person); kept here so a restart loses
-- nothing, and deleted in the same transaction that stores the result (never stored twice).
CREATE TABLE household_drafts (
    id              INTEGER PRIMARY KEY,
    tg_user_id      INTEGER NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('contact', 'visit', 'checkin')),
    step            TEXT    NOT NULL,
    household_id    INTEGER REFERENCES households(id),
    outcome         TEXT,
    happened_on     TEXT,
    note            TEXT,
    query           TEXT    NOT NULL DEFAULT '',
    page            INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
);

-- A resident asking to be linked to a household of their group's micro-grid (/join).
CREATE TABLE household_link_requests (
    id              INTEGER PRIMARY KEY,
    tg_user_id      INTEGER NOT NULL,
    display_name    TEXT    NOT NULL,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    micro_grid_id   INTEGER NOT NULL REFERENCES units(id),
    chat_id         INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'declined',
                                                       'withdrawn')),
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      INTEGER REFERENCES staff(id)
);
CREATE UNIQUE INDEX link_requests_one_pending ON household_link_requests(tg_user_id)
    WHERE status = 'pending';
CREATE INDEX link_requests_unit ON household_link_requests(micro_grid_id, status);

-- One row per scheduled reminder occurrence handled (kind + its local fire time).
CREATE TABLE reminder_runs (
    kind        TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,       -- local fire time, 'YYYY-MM-DDTHH:MM'
    period      TEXT    NOT NULL,       -- '2026-06', '2026-Q2', '2026-W24'
    planned_at  INTEGER NOT NULL,
    sends       INTEGER NOT NULL,
    PRIMARY KEY (kind, occurrence)
) WITHOUT ROWID;

-- Every reminder message, recorded before it is sent. `recipient` is 'staff:<id>' or
-- 'person:<tg id>'; status: pending → sending → sent | failed; a row left in 'sending' by a
-- crash becomes 'unknown' and is never sent again (a duplicate is worse than a gap); a row
-- still pending when its period is over becomes 'expired'.
CREATE TABLE reminder_sends (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    staff_id    INTEGER REFERENCES staff(id),
    household_id INTEGER REFERENCES households(id),
    chat_id     INTEGER,                -- NULL: the recipient has no Telegram account linked
    language    TEXT,
    payload     TEXT    NOT NULL,       -- JSON: what the message lists
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed',
                                                   'unknown', 'expired')),
    error       TEXT    NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    claimed_by  TEXT,                   -- the bot process that marked it 'sending'
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    UNIQUE (kind, occurrence, recipient)
);
CREATE INDEX reminder_sends_status ON reminder_sends(status, id);
CREATE INDEX reminder_sends_staff ON reminder_sends(staff_id, created_at);
CREATE INDEX reminder_sends_household ON reminder_sends(household_id, created_at);
CREATE INDEX reminder_sends_failed ON reminder_sends(created_at) WHERE status = 'failed';

-- Resolving a unit's subtree in compliance queries goes through units.l{k}_id (indexed);
-- households by micro-grid are indexed in 0001. Staff by level for reminder recipients:
CREATE INDEX staff_level ON staff(level, active);
-- Pensioners by the month their yearly authentication falls due.
CREATE INDEX households_pension ON households(pension_month) WHERE pension_month IS NOT NULL;
