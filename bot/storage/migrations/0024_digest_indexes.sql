-- The digest's report figures read every report of the subtree from one index, never the
-- table: the covering index now holds `collected_on` too (the "collected on visits" count).
DROP INDEX IF EXISTS reports_digest_cover;
CREATE INDEX reports_digest_cover ON reports(micro_grid_id, category, status, solved_on_spot,
                                             overdue, created_at, collected_on);
-- The few reports flagged for supervision (待督办) and the overdue ones, in number order:
-- a county's digest lists them without walking its reports.
CREATE INDEX reports_supervision_wanted ON reports(id) WHERE supervision_wanted = 1;
CREATE INDEX reports_overdue ON reports(id) WHERE overdue = 1;
