-- Records the seeds ask for (issue 10, item 8 D): the quality standards a
-- service provider meets and feedback on how each referral to it went
-- (OSCE Alliance position paper: services meet quality standards of care,
-- monitoring and evaluation); the person's own goals and their agreement to
-- the assistance plan (Danube guidelines §3.2, informed agreement and
-- choice); and the partnership's register of interpreters and cultural
-- mediators with their bookings. Free text about the person is sealed under
-- the case's record ("cases/<id>"); an interpreter's name and contact are
-- sealed under "interpreters/<id>".

-- Standards or accreditations a provider meets, with the body that issued
-- them and until when they hold (YYYY-MM-DD or '' for no end).
CREATE TABLE provider_standards (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES service_providers (id),
    name        TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    valid_until TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX provider_standards_provider ON provider_standards (provider_id);

-- The referring worker's feedback on a referral that ended: codes only,
-- plus a sealed comment, so the provider page can count outcomes without
-- any personal data.
CREATE TABLE service_referral_feedback (
    referral_id  TEXT PRIMARY KEY REFERENCES service_referrals (id),
    case_id      TEXT NOT NULL REFERENCES cases (id),
    provider_id  TEXT NOT NULL REFERENCES service_providers (id),
    -- 'full', 'partial' or 'none'.
    delivered    TEXT NOT NULL,
    -- 'on_time', 'late' or 'unknown'.
    timeliness   TEXT NOT NULL,
    -- 'satisfied', 'partly', 'not_satisfied', 'not_asked' or 'declined'.
    satisfaction TEXT NOT NULL,
    comment      BLOB,
    recorded_by  TEXT NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX service_referral_feedback_provider ON service_referral_feedback (provider_id);

-- The person's goals in their own words, one row per case.
CREATE TABLE plan_goals (
    case_id     TEXT PRIMARY KEY REFERENCES cases (id),
    goals       BLOB,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);

-- The person's agreement to the assistance plan, every time it was asked;
-- the newest counts.
CREATE TABLE plan_agreements (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    -- 'agreed', 'partly' or 'not_agreed'.
    agreement   TEXT NOT NULL,
    -- YYYY-MM-DD; the language (ISO 639) the plan was explained in.
    agreed_on   TEXT NOT NULL,
    language    TEXT NOT NULL,
    interpreter INTEGER NOT NULL DEFAULT 0,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_agreements_case ON plan_agreements (case_id, recorded_at);

-- Interpreters and cultural mediators of the partnership.
CREATE TABLE interpreters (
    id                  TEXT PRIMARY KEY,
    -- Sealed: personal data of the interpreter.
    name                BLOB NOT NULL,
    contact             BLOB,
    -- JSON array of ISO 639 codes.
    languages           TEXT NOT NULL,
    -- 'interpreter', 'mediator' or 'both'.
    kind                TEXT NOT NULL,
    trafficking_trained INTEGER NOT NULL DEFAULT 0,
    child_trained       INTEGER NOT NULL DEFAULT 0,
    -- YYYY-MM-DD the confidentiality agreement was signed, or ''.
    confidentiality_on  TEXT NOT NULL DEFAULT '',
    availability        TEXT NOT NULL DEFAULT '',
    org_id              TEXT REFERENCES organisations (id),
    active              INTEGER NOT NULL DEFAULT 1,
    created_by          TEXT NOT NULL REFERENCES users (id),
    created_at          TIMESTAMP NOT NULL,
    updated_by          TEXT NOT NULL REFERENCES users (id),
    updated_at          TIMESTAMP NOT NULL
);

-- An interpreter booked for a case: a screening interview, a case
-- conference or a hearing (ref_id names the conference or the criminal
-- proceeding; '' for a screening).
CREATE TABLE interpreter_bookings (
    id             TEXT PRIMARY KEY,
    interpreter_id TEXT NOT NULL REFERENCES interpreters (id),
    case_id        TEXT NOT NULL REFERENCES cases (id),
    -- The organisation that owned the case and booked.
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    kind           TEXT NOT NULL,
    ref_id         TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL,
    starts_at      TIMESTAMP NOT NULL,
    ends_at        TIMESTAMP NOT NULL,
    -- 'booked' or 'cancelled'.
    status         TEXT NOT NULL,
    created_by     TEXT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    cancelled_by   TEXT REFERENCES users (id),
    cancelled_at   TIMESTAMP
);
CREATE INDEX interpreter_bookings_interpreter ON interpreter_bookings (interpreter_id, starts_at);
CREATE INDEX interpreter_bookings_case ON interpreter_bookings (case_id, starts_at);
