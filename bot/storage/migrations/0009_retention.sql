-- Pruning scratch rows by age ([retention]): the tables that grow with every report and
-- every button press get an index on their time; the others stay small.
CREATE INDEX applied_presses_at ON applied_presses(at);
CREATE INDEX report_drafts_created ON report_drafts(created_at);
