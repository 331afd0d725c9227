-- Safe voluntary return, the partnership's notes on countries of origin,
-- what the person was informed of, and the steps taken when a child in care
-- goes missing. Free text about the person (where they return to, who
-- receives them, escorts, follow-up notes, who informed them, police
-- references) is sealed with the case's vault record ("cases/<case id>"),
-- so erasing a case forgets one key; codes, dates and times stay in the
-- clear.

-- The return of a case's person to their country of origin: one per case,
-- changed in place until the reception abroad is confirmed (the timeline
-- keeps each change as an event).
CREATE TABLE case_returns (
    id                   TEXT PRIMARY KEY,
    case_id              TEXT NOT NULL UNIQUE REFERENCES cases (id),
    org_id               TEXT NOT NULL REFERENCES organisations (id),
    -- ISO 3166-1 alpha-2 code of the destination country.
    country              TEXT NOT NULL,
    -- JSON of returns.details: place, receiving organisation and its
    -- contact, consulate, escort, authority of origin, risk note.
    details              BYTEA NOT NULL,
    -- The pre-return risk assessment: cases.RiskLevels and its day.
    risk_level           TEXT NOT NULL,
    risk_assessed_on     TEXT NOT NULL,
    -- The written consent to return: day, language (ISO 639-1), through an
    -- interpreter, the signed document on file, given by 'person' or, for a
    -- child, 'guardian'.
    consent_on           TEXT NOT NULL,
    consent_language     TEXT NOT NULL,
    consent_interpreter  INTEGER NOT NULL,
    consent_on_file      INTEGER NOT NULL,
    consent_given_by     TEXT NOT NULL,
    travel_on            TEXT NOT NULL,
    -- A child's return: the family assessment ('' for an adult; 'safe',
    -- 'unsafe' or 'unclear') and its day, and the escort's kind
    -- (returns.EscortKinds, never the police).
    family_outcome       TEXT NOT NULL DEFAULT '',
    family_assessed_on   TEXT NOT NULL DEFAULT '',
    escort_kind          TEXT NOT NULL DEFAULT '',
    -- The confirmation that the person was received abroad: who confirmed
    -- it is sealed in received_by.
    received_at          TIMESTAMPTZ,
    received_by          BYTEA,
    recorded_by          TEXT NOT NULL REFERENCES users (id),
    recorded_at          TIMESTAMPTZ NOT NULL,
    updated_by           TEXT NOT NULL REFERENCES users (id),
    updated_at           TIMESTAMPTZ NOT NULL
);

-- Follow-up contacts after a return; each open one is a case deadline
-- ('return_followup') until its outcome is recorded.
CREATE TABLE case_return_followups (
    id          TEXT PRIMARY KEY,
    return_id   TEXT NOT NULL REFERENCES case_returns (id),
    case_id     TEXT NOT NULL REFERENCES cases (id),
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    due_on      TEXT NOT NULL,
    -- '' until done; outcome is returns.FollowUpOutcomes.
    done_on     TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT '',
    note        BYTEA,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_return_followups_case ON case_return_followups (case_id, due_on);

-- What the partnership knows about returning to a country: one current
-- note per country, about countries and never about a person, so in the
-- clear. Each change is audited.
CREATE TABLE country_notes (
    -- ISO 3166-1 alpha-2.
    country        TEXT PRIMARY KEY,
    risks          TEXT NOT NULL,
    discrimination TEXT NOT NULL,
    services       TEXT NOT NULL,
    sources        TEXT NOT NULL,
    updated_by     TEXT NOT NULL REFERENCES users (id),
    updated_at     TIMESTAMPTZ NOT NULL
);

-- What the person was informed of (their rights, the reflection period,
-- each decision), when, in which language and by whom (sealed).
CREATE TABLE case_informed (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    -- cases.InformedTopics.
    topic       TEXT NOT NULL,
    informed_on TEXT NOT NULL,
    language    TEXT NOT NULL,
    interpreter INTEGER NOT NULL,
    informed_by BYTEA NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_informed_case ON case_informed (case_id, informed_on);

-- A child of a case gone missing: since when, the hand-over to the police
-- missing-person procedure (to whom and the reference, sealed), the call
-- to the missing children hotline 116 000 (by whom, sealed), and when the
-- child was found.
CREATE TABLE child_missing (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    missing_since TIMESTAMPTZ NOT NULL,
    police_at     TIMESTAMPTZ,
    police        BYTEA,
    hotline_at    TIMESTAMPTZ,
    hotline_by    BYTEA,
    found_at      TIMESTAMPTZ,
    recorded_by   TEXT NOT NULL REFERENCES users (id),
    recorded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX child_missing_case ON child_missing (case_id, missing_since);
