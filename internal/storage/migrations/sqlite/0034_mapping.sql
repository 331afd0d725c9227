-- The local mapping (issue 12): questionnaires (XLSForms), rounds that ask
-- them, invitations to answer, responses and the review of their free text.
--
-- A questionnaire keeps its source (the shipped text or the uploaded
-- .xlsx) and is parsed again when used, so a round always shows the form
-- exactly as imported. restricted = 1: only roles allowed
-- mapping.view_restricted see its results.
CREATE TABLE mapping_questionnaires (
    id           TEXT PRIMARY KEY,
    form_id      TEXT NOT NULL,
    title        TEXT NOT NULL,
    version      TEXT NOT NULL,
    -- 'shipped' (one of Waymark's own, source is its text) or 'xlsx'.
    source_kind  TEXT NOT NULL,
    source_name  TEXT NOT NULL,
    source       BLOB NOT NULL,
    restricted   INTEGER NOT NULL DEFAULT 0,
    imported_by  TEXT NOT NULL REFERENCES users (id),
    imported_org TEXT NOT NULL REFERENCES organisations (id),
    imported_at  TIMESTAMP NOT NULL,
    UNIQUE (form_id, version)
);

-- A mapping round: which questionnaires, which part of the city (areas is
-- a JSON array of area codes, [] for the whole city), which period.
-- status: 'draft', 'open' (answers accepted) or 'closed'.
CREATE TABLE mapping_rounds (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    status       TEXT NOT NULL,
    areas        TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    opened_at    TIMESTAMP,
    closed_at    TIMESTAMP
);

CREATE TABLE mapping_round_questionnaires (
    round_id         TEXT NOT NULL REFERENCES mapping_rounds (id),
    questionnaire_id TEXT NOT NULL REFERENCES mapping_questionnaires (id),
    PRIMARY KEY (round_id, questionnaire_id)
);

-- An invitation to answer one questionnaire of a round: either the users
-- of an organisation (role '' = every role that may respond), or a link
-- for people without an account. Only the SHA-256 of the link's random
-- token is stored; a link works max_uses times until expires_at.
-- respondent_kind names who the link is for (a key actor such as
-- taxi_drivers); label is the coordinator's note of where it was sent.
CREATE TABLE mapping_invitations (
    id               TEXT PRIMARY KEY,
    round_id         TEXT NOT NULL REFERENCES mapping_rounds (id),
    questionnaire_id TEXT NOT NULL REFERENCES mapping_questionnaires (id),
    org_id           TEXT REFERENCES organisations (id),
    role             TEXT NOT NULL DEFAULT '',
    respondent_kind  TEXT NOT NULL DEFAULT '',
    label            TEXT NOT NULL DEFAULT '',
    token_hash       BLOB UNIQUE,
    max_uses         INTEGER NOT NULL DEFAULT 0,
    uses             INTEGER NOT NULL DEFAULT 0,
    expires_at       TIMESTAMP,
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    revoked_at       TIMESTAMP
);
CREATE INDEX mapping_invitations_round ON mapping_invitations (round_id);
CREATE INDEX mapping_invitations_org ON mapping_invitations (org_id);

-- One answered questionnaire. answers holds numbers and choices in the
-- clear (JSON) for aggregation; the free-text answers, which may name
-- people, are sealed together in texts under "mapping/<id>". The
-- respondent is a user (with organisation kind and role) or a link
-- invitation (respondent_user NULL). anonymous = 1 hides the respondent
-- from everyone but the coordinator.
CREATE TABLE mapping_responses (
    id               TEXT PRIMARY KEY,
    round_id         TEXT NOT NULL REFERENCES mapping_rounds (id),
    questionnaire_id TEXT NOT NULL REFERENCES mapping_questionnaires (id),
    invitation_id    TEXT NOT NULL REFERENCES mapping_invitations (id),
    respondent_user  TEXT REFERENCES users (id),
    respondent_org   TEXT REFERENCES organisations (id),
    respondent_kind  TEXT NOT NULL,
    respondent_role  TEXT NOT NULL DEFAULT '',
    anonymous        INTEGER NOT NULL DEFAULT 0,
    answers          TEXT NOT NULL,
    texts            BLOB,
    submitted_at     TIMESTAMP NOT NULL,
    UNIQUE (round_id, questionnaire_id, respondent_user)
);
CREATE INDEX mapping_responses_round ON mapping_responses (round_id, questionnaire_id);

-- Each free-text answer waits for review: 'pending', 'accepted' (edited,
-- de-identified text sealed in edited) or 'rejected'. Only accepted text
-- enters a report. field is the answer's path (profile, places.2.observation).
CREATE TABLE mapping_free_texts (
    id               TEXT PRIMARY KEY,
    response_id      TEXT NOT NULL REFERENCES mapping_responses (id) ON DELETE CASCADE,
    round_id         TEXT NOT NULL REFERENCES mapping_rounds (id),
    questionnaire_id TEXT NOT NULL REFERENCES mapping_questionnaires (id),
    field            TEXT NOT NULL,
    status           TEXT NOT NULL,
    edited           BLOB,
    reviewed_by      TEXT REFERENCES users (id),
    reviewed_at      TIMESTAMP,
    UNIQUE (response_id, field)
);
CREATE INDEX mapping_free_texts_round ON mapping_free_texts (round_id, status);
