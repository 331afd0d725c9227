-- Screening rules v2 evaluate eight forms of exploitation: labour, sexual,
-- domestic_servitude, begging, criminality, forced_marriage, organ_removal
-- and other_exploitation. Version 1's one form "begging_criminality" becomes
-- both "begging" and "criminality" wherever a form is stored for later use:
-- the local protocol's routes, a case's forms and a report's classification.
-- Referrals keep the purposes they were made for (what was sent), and audit
-- details are never rewritten.

-- A route of begging_criminality becomes one route per new form, unless the
-- protocol already names an organisation for that form and population.
INSERT INTO protocol_routes (purpose, population, org_id, updated_by, updated_at)
SELECT f.purpose, r.population, r.org_id, r.updated_by, r.updated_at
FROM protocol_routes r, (SELECT 'begging' AS purpose UNION ALL SELECT 'criminality' AS purpose) f
WHERE r.purpose = 'begging_criminality'
    AND NOT EXISTS (SELECT 1 FROM protocol_routes x WHERE x.purpose = f.purpose AND x.population = r.population);
DELETE FROM protocol_routes WHERE purpose = 'begging_criminality';

-- cases.exploitation is a JSON array written without spaces.
UPDATE cases SET exploitation = replace(exploitation, '"begging_criminality"', '"begging","criminality"')
WHERE exploitation LIKE '%"begging_criminality"%';

-- A report's classification was one form; a report can describe several
-- (forced begging and pickpocketing), so it becomes a JSON array like a
-- case's, '' while the report is not classified.
UPDATE reports SET exploitation = CASE exploitation
        WHEN 'begging_criminality' THEN '["begging","criminality"]'
        ELSE '["' || exploitation || '"]'
    END
WHERE exploitation <> '';

-- What a referral asks of the receiving organisation: 'reasonable_grounds'
-- (the screening found them) or 'specialist_assessment' (the screening was
-- in doubt: further assessment). Every earlier referral had reasonable grounds.
ALTER TABLE referrals ADD COLUMN kind TEXT NOT NULL DEFAULT 'reasonable_grounds';

-- Whom to call now: a partner's phone number and when it answers, as the
-- partner gives them ("24/7", "Mon–Fri 8–16"); '' while not recorded.
ALTER TABLE organisations ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN hours TEXT NOT NULL DEFAULT '';
