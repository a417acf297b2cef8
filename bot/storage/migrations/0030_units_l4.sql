-- A micro-grid worker's households, reminders and tasks select units by their micro-grid
-- ancestor (l4_id) like every other level: indexed, so no query scans every unit of a county
-- (and a worker holding two micro-grids does not scan every household).
CREATE INDEX units_l4 ON units(l4_id, level);
