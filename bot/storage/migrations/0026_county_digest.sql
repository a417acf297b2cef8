-- A county's digest counts its reports by town: every report carries the town that numbers
-- it, so the figures come from this index alone, in its order — no join to the units, no
-- sort (the micro-grid index still serves a town's digest, split by village). `created_at`
-- last: within each group of equal columns, the period's reports are one range of it.
CREATE INDEX reports_town_digest ON reports(town_id, category, status, solved_on_spot, overdue,
                                            collected_on, created_at);

-- Compliance counts each micro-grid's households that count at a moment (added by then, not
-- yet deactivated): from the index alone. It leads with the columns of the index it
-- replaces, which serves every lookup of a micro-grid's active households as before.
CREATE INDEX households_micro_grid_counted ON households(micro_grid_id, active, added_at,
                                                         deactivated_at);
DROP INDEX households_micro_grid;
