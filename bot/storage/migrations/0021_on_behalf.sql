-- Reports a grid worker files for a household (代报): the household is the reporter (its
-- head's name; reporter_tg_id 0, no Telegram user), the worker the recorder, and whether the
-- problem was collected on a visit or a contact. The draft carries the same until it is filed.
ALTER TABLE reports ADD COLUMN recorded_by_staff_id INTEGER REFERENCES staff(id);
ALTER TABLE reports ADD COLUMN collected_on TEXT;          -- 'visit', 'contact' or NULL
ALTER TABLE report_drafts ADD COLUMN household_id INTEGER REFERENCES households(id);
ALTER TABLE report_drafts ADD COLUMN recorded_by_staff_id INTEGER REFERENCES staff(id);
ALTER TABLE report_drafts ADD COLUMN collected_on TEXT;
CREATE INDEX reports_household ON reports(household_id, created_at);
