-- A grid worker's /report in private may carry a photo, a recording or a location with its
-- words: it is kept (as Telegram references, JSON) while the worker picks the household, and
-- goes with the report filed for it.
ALTER TABLE household_drafts ADD COLUMN said TEXT;
