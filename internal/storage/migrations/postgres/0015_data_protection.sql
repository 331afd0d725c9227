-- Data protection (issue #5 item 11): the person's erasure requests, legal
-- holds that keep a closed case from being anonymised, and what a case
-- imported in the HTCDS vocabulary declared about itself.
--
-- Every row holds codes and dates only, never free text about the person,
-- so these records stay after the case is anonymised: they are the proof
-- that a request was answered within the month the law allows. The rows
-- reach an organisation only through the case gate. Dates are YYYY-MM-DD;
-- each kind of record is numbered per case (1, 2, …) for its page address.

-- Requests of the person to erase their data (GDPR art. 17). The owning
-- organisation carries one out (the case is anonymised) or refuses it with
-- a reason the person is told.
CREATE TABLE case_erasure_requests (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    number      INTEGER NOT NULL,
    received_on TEXT NOT NULL,
    -- How it reached us (dataprotection.Channels).
    channel     TEXT NOT NULL,
    -- 'pending', 'carried_out' or 'refused'.
    status      TEXT NOT NULL,
    -- For a refusal, the ground (dataprotection.RefusalReasons).
    reason      TEXT NOT NULL DEFAULT '',
    decided_on  TEXT NOT NULL DEFAULT '',
    decided_by  TEXT REFERENCES users (id),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, number)
);
-- Retention skips cases with a pending request.
CREATE INDEX case_erasure_requests_pending ON case_erasure_requests (status, case_id);

-- Legal holds: the owning organisation must keep the data until a day
-- (criminal proceedings, a claim), so retention leaves the case alone.
CREATE TABLE case_legal_holds (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    number      INTEGER NOT NULL,
    -- Why (dataprotection.HoldReasons).
    reason      TEXT NOT NULL,
    until_on    TEXT NOT NULL,
    set_by      TEXT NOT NULL REFERENCES users (id),
    set_at      TIMESTAMPTZ NOT NULL,
    lifted_by   TEXT REFERENCES users (id),
    lifted_at   TIMESTAMPTZ,
    UNIQUE (case_id, number)
);
CREATE INDEX case_legal_holds_until ON case_legal_holds (until_on, case_id);

-- What an HTCDS document declared when it opened a case, for the fields
-- Waymark keeps elsewhere (the trafficking status comes from a referral's
-- decisions, consent from consent records): exported again while the case
-- has no record of its own. reference is the sender's case reference.
CREATE TABLE case_imports (
    case_id            TEXT PRIMARY KEY REFERENCES cases (id),
    reference          TEXT NOT NULL DEFAULT '',
    trafficking_status TEXT NOT NULL DEFAULT '',
    decision_org       TEXT NOT NULL DEFAULT '',
    agreement          INTEGER,
    consent            INTEGER,
    imported_by        TEXT NOT NULL REFERENCES users (id),
    imported_at        TIMESTAMPTZ NOT NULL
);
