-- A county's digest counts its reports by town: every report carries the town that numbers
-- it, so the figures come from this index alone, in its order — no join to the units, no
-- sort (the micro-grid index still serves a town's digest, split by village). `created_at`
-- last: within each group of equal columns, the period's reports are one range of it.
CREATE INDEX reports_town_digest ON reports(town_id, category, status, solved_on_spot, overdue,
                                            collected_on, created_at);
