-- Two-stage identification: the local protocol (who receives a referral for
-- which form of exploitation and population, and which organisations are
-- competent authorities for the formal decision on victim status),
-- referrals from a screening with reasonable grounds, and the decisions
-- recorded on them. A referral names nobody: the person is known by a
-- random pseudonymous code; free text (the referral note, the grounds of a
-- decision) is encrypted with the data key of the record "referrals/<id>".

-- The receiving organisation per form of exploitation (labour, sexual,
-- begging_criminality, domestic_servitude) and population (adult, child).
CREATE TABLE protocol_routes (
    purpose    TEXT NOT NULL,
    population TEXT NOT NULL,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (purpose, population)
);

-- Organisations that may take the formal decision on victim status.
CREATE TABLE protocol_authorities (
    org_id     TEXT PRIMARY KEY REFERENCES organisations (id),
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE referrals (
    id                TEXT PRIMARY KEY,
    -- Pseudonymous person code, e.g. WM-7K3Q-92XD: random, never derived
    -- from anything about the person.
    code              TEXT NOT NULL,
    screening_id      TEXT NOT NULL REFERENCES screenings (id),
    from_org          TEXT NOT NULL REFERENCES organisations (id),
    to_org            TEXT NOT NULL REFERENCES organisations (id),
    created_by        TEXT NOT NULL REFERENCES users (id),
    -- JSON array of the forms of exploitation referred for.
    purposes          TEXT NOT NULL,
    -- 'adult' or 'child' as the screening evaluated it (age presumption included).
    population        TEXT NOT NULL,
    -- Consent as recorded: the person agreed (0/1); for a child, the
    -- guardian or child protection was involved (0/1).
    person_agreed     INTEGER NOT NULL,
    guardian_involved INTEGER NOT NULL,
    -- The evaluated screening result at the time of referral (JSON) and the
    -- catalogue version it was evaluated with.
    result            TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    note              BYTEA,
    -- 'pending', 'accepted' or 'declined'.
    status            TEXT NOT NULL,
    responded_by      TEXT REFERENCES users (id),
    responded_at      TIMESTAMPTZ,
    -- A reason code when declined.
    decline_reason    TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX referrals_code ON referrals (code);
CREATE INDEX referrals_from ON referrals (from_org, created_at);
CREATE INDEX referrals_to ON referrals (to_org, created_at);
CREATE INDEX referrals_screening ON referrals (screening_id);

-- Decisions are append-only: a review or appeal is a new row linking to the
-- decision it reviews.
CREATE TABLE referral_decisions (
    id          TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    -- 'reasonable_grounds' or 'victim_status'.
    stage       TEXT NOT NULL,
    -- reasonable_grounds: 'positive' or 'negative';
    -- victim_status: 'confirmed' or 'not_confirmed'.
    outcome     TEXT NOT NULL,
    -- 'initial', 'review' or 'appeal'.
    kind        TEXT NOT NULL,
    reviews_id  TEXT REFERENCES referral_decisions (id),
    grounds     BYTEA NOT NULL,
    -- The day the decision was taken, YYYY-MM-DD.
    decided_on  TEXT NOT NULL,
    decided_by  TEXT NOT NULL REFERENCES users (id),
    decided_org TEXT NOT NULL REFERENCES organisations (id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX referral_decisions_referral ON referral_decisions (referral_id, created_at);
