-- Foundation: the unit tree, staff, households, groups, invitations, people, audit log.
-- All times are INTEGER unix seconds (UTC).

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    parent_id   INTEGER REFERENCES units(id),
    -- ancestors by level (self included): the subtree of a level-k unit U is `l{k}_id = U.id`
    l1_id       INTEGER,
    l2_id       INTEGER,
    l3_id       INTEGER,
    l4_id       INTEGER,
    center_lat  REAL,
    center_lon  REAL,
    radius_m    REAL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_l1 ON units(l1_id, level);
CREATE INDEX units_l2 ON units(l2_id, level);
CREATE INDEX units_l3 ON units(l3_id, level);

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    phone       TEXT    NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    tg_user_id  INTEGER UNIQUE,
    linked_at   INTEGER,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE staff_units (
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (staff_id, unit_id)
) WITHOUT ROWID;
CREATE INDEX staff_units_unit ON staff_units(unit_id, staff_id);

CREATE TABLE households (
    id              INTEGER PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE,
    micro_grid_id   INTEGER NOT NULL REFERENCES units(id),
    head_name       TEXT    NOT NULL,
    address         TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    members         INTEGER NOT NULL DEFAULT 1,
    tags            TEXT    NOT NULL DEFAULT '',   -- space-separated tag names
    pension_month   INTEGER CHECK (pension_month BETWEEN 1 AND 12),
    active          INTEGER NOT NULL DEFAULT 1,
    added_at        INTEGER NOT NULL,              -- counts for compliance from here
    deactivated_at  INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX households_micro_grid ON households(micro_grid_id, active);

-- Telegram users the bot has met (residents and staff alike).
CREATE TABLE people (
    tg_user_id      INTEGER PRIMARY KEY,
    display_name    TEXT    NOT NULL,
    username        TEXT,
    language        TEXT,
    started_bot     INTEGER NOT NULL DEFAULT 0,
    household_id    INTEGER REFERENCES households(id),
    first_seen_at   INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX people_household ON people(household_id);

CREATE TABLE groups (
    chat_id         INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL DEFAULT '',
    micro_grid_id   INTEGER REFERENCES units(id),
    active          INTEGER NOT NULL DEFAULT 1,
    bound_by        INTEGER REFERENCES staff(id),
    bound_at        INTEGER,
    card_message_id INTEGER,
    added_at        INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX groups_one_per_micro_grid ON groups(micro_grid_id) WHERE micro_grid_id IS NOT NULL;

-- Residents seen in a group (the bot only learns members who speak to it or join).
CREATE TABLE group_members (
    chat_id     INTEGER NOT NULL REFERENCES groups(chat_id) ON UPDATE CASCADE,
    tg_user_id  INTEGER NOT NULL,
    present     INTEGER NOT NULL DEFAULT 1,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (chat_id, tg_user_id)
) WITHOUT ROWID;
CREATE INDEX group_members_user ON group_members(tg_user_id, present);

CREATE TABLE invitations (
    token       TEXT    PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    created_by  INTEGER REFERENCES staff(id),      -- NULL: made on the command line
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    used_by     INTEGER
);
CREATE INDEX invitations_staff ON invitations(staff_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,       -- 'staff:<code>', 'tg:<user id>', 'system', 'cli'
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
