-- A contract's checks page counts its findings and pending actions and
-- lists the overdue ones. Each finding and action keeps its contract, so
-- that is one range of an index instead of a walk from every check of the
-- contract to its findings and their actions.
ALTER TABLE site_check_findings ADD COLUMN contract_id TEXT NOT NULL DEFAULT '';
ALTER TABLE site_check_actions ADD COLUMN contract_id TEXT NOT NULL DEFAULT '';
UPDATE site_check_findings SET contract_id = (SELECT c.contract_id FROM site_checks c WHERE c.id = site_check_findings.check_id);
UPDATE site_check_actions SET contract_id = (SELECT f.contract_id FROM site_check_findings f WHERE f.id = site_check_actions.finding_id);
CREATE INDEX site_check_findings_contract ON site_check_findings (contract_id, severity);
CREATE INDEX site_check_actions_contract ON site_check_actions (contract_id, status, due_on);
