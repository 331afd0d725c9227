-- The formal decision on victim status reaches a competent authority.
--
-- The local protocol names, per form of exploitation and population, the
-- competent authority that takes the formal decision; a row with purpose ''
-- is the population's fallback for a form the protocol names none for.
CREATE TABLE protocol_deciders (
    purpose    TEXT NOT NULL,
    population TEXT NOT NULL,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (purpose, population)
);

-- A referral forwarded by its receiving organisation to the competent
-- authority for the formal decision: the authority sees the referral from
-- then on. Who forwarded it, from which organisation, to whom and when.
CREATE TABLE referral_forwards (
    id           TEXT PRIMARY KEY,
    referral_id  TEXT NOT NULL REFERENCES referrals (id),
    to_org       TEXT NOT NULL REFERENCES organisations (id),
    from_org     TEXT NOT NULL REFERENCES organisations (id),
    forwarded_by TEXT NOT NULL REFERENCES users (id),
    forwarded_at TIMESTAMP NOT NULL,
    UNIQUE (referral_id, to_org)
);
CREATE INDEX referral_forwards_to ON referral_forwards (to_org, forwarded_at);

-- A review or appeal lodged with a body that has no account in Waymark (a
-- court, a tribunal): its name, encrypted like the grounds, as it could
-- point to the person. Such a decision has the outcome 'pending' until the
-- body's outcome is recorded as the next decision, reviewing it.
ALTER TABLE referral_decisions ADD COLUMN lodged_with BLOB;

-- Where the person was met, as a place code of the field guide (the
-- screening's setting, a report's type of place); '' when not known.
ALTER TABLE cases ADD COLUMN place TEXT NOT NULL DEFAULT '';
