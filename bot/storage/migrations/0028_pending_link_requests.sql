-- Pending /join requests of a subtree, oldest first, without scanning every request ever made.
CREATE INDEX link_requests_pending ON household_link_requests(id) WHERE status = 'pending';
