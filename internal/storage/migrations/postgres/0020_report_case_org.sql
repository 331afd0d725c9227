-- A report turned into a case names the organisation that holds the case
-- as well as its code: a hotline operator hands the case on to the
-- receiving organisation and cannot see it, so the report says where it went.
ALTER TABLE reports ADD COLUMN case_org_id TEXT REFERENCES organisations (id);
