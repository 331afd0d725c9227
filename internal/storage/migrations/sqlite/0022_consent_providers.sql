-- A consent to referrals may name service providers of the directory (a
-- JSON array of provider ids) besides organisations: a provider outside the
-- partnership has no organisation, so only its own name in the consent
-- covers a referral to it.
ALTER TABLE case_consents ADD COLUMN providers TEXT NOT NULL DEFAULT '[]';
