-- A referral keeps how many of its screening's answers were pre-filled
-- from what was seen at a site check and never confirmed with the person
-- (screening_prefills, 0048), counted among the questions the screening
-- asked when it was referred: the receiving organisation is told, so the
-- hand-over does not pass site observations off as the person's words.
ALTER TABLE referrals ADD COLUMN unconfirmed_prefills INTEGER NOT NULL DEFAULT 0;
