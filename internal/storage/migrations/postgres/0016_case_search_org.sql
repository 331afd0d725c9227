-- Name search reads only the searching organisation's tokens: with the
-- organisation in the token table, a common surname costs the cases of one
-- organisation, not of the whole partnership. Kept in step with the case's
-- owner (open, update, transfer).
ALTER TABLE case_search ADD COLUMN org_id TEXT NOT NULL DEFAULT '';
UPDATE case_search SET org_id = (SELECT c.org_id FROM cases c WHERE c.id = case_search.case_id);
CREATE INDEX case_search_org_token ON case_search (org_id, token);
