-- What an imported HTCDS document declared of the person's trafficking
-- history and of the referral, exported again with the case: the age when
-- first trafficked, the methods of control and vulnerabilities (JSON arrays
-- of HTCDS picklist values), the referring organisation's name and the day
-- the referral was accepted ('' when the document had none).
ALTER TABLE case_imports ADD COLUMN age_when_trafficked INTEGER;
ALTER TABLE case_imports ADD COLUMN methods_of_control TEXT NOT NULL DEFAULT '[]';
ALTER TABLE case_imports ADD COLUMN vulnerabilities TEXT NOT NULL DEFAULT '[]';
ALTER TABLE case_imports ADD COLUMN referring_org TEXT NOT NULL DEFAULT '';
ALTER TABLE case_imports ADD COLUMN referral_date TEXT NOT NULL DEFAULT '';
