-- A county above the towns: level 0 for units and staff, the l0 ancestor column, a town's
-- short prefix for report numbers, and report numbers counted per town.
--
-- SQLite cannot change a CHECK constraint, so `units` and `staff` are rebuilt. Other tables
-- reference them, and foreign keys stay on during migrations: with the checks deferred,
-- dropping the old table counts every reference as missing, and inserting the same ids
-- into the new table (created under the same name) counts them found again, so the
-- transaction commits only when every reference is whole.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE units_0022 AS SELECT * FROM units;
DROP TABLE units;
CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    parent_id   INTEGER REFERENCES units(id),
    -- ancestors by level (self included): the subtree of a level-k unit U is `l{k}_id = U.id`
    l0_id       INTEGER,
    l1_id       INTEGER,
    l2_id       INTEGER,
    l3_id       INTEGER,
    l4_id       INTEGER,
    center_lat  REAL,
    center_lon  REAL,
    radius_m    REAL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    short       TEXT    NOT NULL DEFAULT ''     -- a town's report-number prefix (DTY)
);
INSERT INTO units (id, code, name, level, parent_id, l1_id, l2_id, l3_id, l4_id, center_lat,
                   center_lon, radius_m, active, created_at, updated_at)
    SELECT id, code, name, level, parent_id, l1_id, l2_id, l3_id, l4_id, center_lat,
           center_lon, radius_m, active, created_at, updated_at FROM units_0022;
DROP TABLE temp.units_0022;
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_l0 ON units(l0_id, level);
CREATE INDEX units_l1 ON units(l1_id, level);
CREATE INDEX units_l2 ON units(l2_id, level);
CREATE INDEX units_l3 ON units(l3_id, level);
-- The county (one row at most): found without reading the units.
CREATE INDEX units_county ON units(id) WHERE level = 0;
CREATE INDEX units_short ON units(short COLLATE NOCASE) WHERE short != '';

CREATE TEMP TABLE staff_0022 AS SELECT * FROM staff;
DROP TABLE staff;
CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    phone       TEXT    NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
    tg_user_id  INTEGER UNIQUE,
    linked_at   INTEGER,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
INSERT INTO staff (id, code, name, phone, level, tg_user_id, linked_at, active, created_at,
                   updated_at)
    SELECT id, code, name, phone, level, tg_user_id, linked_at, active, created_at, updated_at
    FROM staff_0022;
DROP TABLE temp.staff_0022;
CREATE INDEX staff_level ON staff(level, active);

-- Report numbers: a sequence per town (`DTY-178`, `#178` inside the town). Reports filed
-- before keep their number: in a single town the sequence is the id.
ALTER TABLE reports ADD COLUMN town_id INTEGER REFERENCES units(id);
ALTER TABLE reports ADD COLUMN town_seq INTEGER;
UPDATE reports SET town_id = (SELECT u.l1_id FROM units u WHERE u.id = reports.micro_grid_id),
                   town_seq = id;
CREATE UNIQUE INDEX reports_town_seq ON reports(town_id, town_seq);
CREATE INDEX reports_seq ON reports(town_seq);

-- How far a report may climb: the town (1), or the county (0) when `[reports]
-- escalate_to_county` was set as it was filed in a town of a county.
ALTER TABLE reports ADD COLUMN top_level INTEGER NOT NULL DEFAULT 1 CHECK (top_level IN (0, 1));
