-- Tasks reach the organisation they are given to (issue #10): a task's
-- deadline belongs to the task's organisation, so it is on that
-- organisation's dashboards, calendar feeds and reminders even when the case
-- was never shared with it; and a task names the categories of case data it
-- needs (a JSON array of category codes), so the case's owner is offered
-- the share that is missing.
ALTER TABLE case_tasks ADD COLUMN needs TEXT NOT NULL DEFAULT '[]';

UPDATE case_deadlines SET org_id = (SELECT t.owner_org FROM case_tasks t WHERE t.id = case_deadlines.ref_id)
WHERE kind = 'task' AND EXISTS (SELECT 1 FROM case_tasks t WHERE t.id = case_deadlines.ref_id);
