-- The Evaluation and Crisis Unit (Danube Roundtable, operational steps 2-3):
-- case conferences with participants by organisation, their decisions and
-- tasks, the protocol of collaboration that pre-fills tasks when a case
-- moves stage, and the per-user calendar feeds of deadlines. Free text that
-- may name a person (minutes, decision texts, task titles) is encrypted
-- under the case's record ("cases/<id>"), so erasing a case forgets it.

CREATE TABLE case_conferences (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    -- Numbered per case (1, 2, …): how staff name a conference, and its URL.
    number      INTEGER NOT NULL,
    held_at     TIMESTAMP NOT NULL,
    -- JSON array of agenda codes (crisisunit.AgendaCodes).
    agenda      TEXT NOT NULL,
    -- Sealed minutes; NULL until recorded.
    minutes     BLOB,
    -- When the outcome (minutes, decisions) was recorded; a scheduled
    -- conference has none yet and keeps its "conference" deadline.
    recorded_at TIMESTAMP,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (case_id, number)
);

-- Participating organisations; a task can be given to any of them.
CREATE TABLE case_conference_orgs (
    conference_id TEXT NOT NULL REFERENCES case_conferences (id),
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (conference_id, org_id)
);
CREATE INDEX case_conference_orgs_org ON case_conference_orgs (org_id);

-- Named participants, each of a participating organisation.
CREATE TABLE case_conference_users (
    conference_id TEXT NOT NULL REFERENCES case_conferences (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (conference_id, user_id)
);

CREATE TABLE case_decisions (
    id            TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL REFERENCES case_conferences (id),
    case_id       TEXT NOT NULL REFERENCES cases (id),
    -- A decision code (crisisunit.DecisionCodes) for lists and statistics,
    -- and the sealed wording.
    code          TEXT NOT NULL,
    body          BLOB NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX case_decisions_conference ON case_decisions (conference_id);

-- Tasks from a conference or from the protocol of collaboration.
CREATE TABLE case_tasks (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    -- Numbered per case, like conferences.
    number        INTEGER NOT NULL,
    conference_id TEXT REFERENCES case_conferences (id),
    -- The protocol's task template code; '' for a task written at a conference.
    template      TEXT NOT NULL DEFAULT '',
    -- The stage whose protocol created the task; '' otherwise.
    stage         TEXT NOT NULL DEFAULT '',
    -- Sealed title; NULL for a protocol task, which its template names.
    title         BLOB,
    owner_org     TEXT NOT NULL REFERENCES organisations (id),
    owner_user    TEXT REFERENCES users (id),
    -- 1 when the protocol could not pick the owner for sure (several
    -- organisations of the kind, or none): a person should confirm it.
    to_confirm    INTEGER NOT NULL DEFAULT 0,
    due_on        TEXT NOT NULL,
    -- 'open', 'done' or 'cancelled', and when and by whom it was closed.
    status        TEXT NOT NULL,
    closed_at     TIMESTAMP,
    closed_by     TEXT REFERENCES users (id),
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (case_id, number)
);
CREATE INDEX case_tasks_owner_org ON case_tasks (owner_org, status, due_on);
CREATE INDEX case_tasks_owner_user ON case_tasks (owner_user, status, due_on);
CREATE INDEX case_tasks_conference ON case_tasks (conference_id);

-- The protocol of collaboration: which organisation type does what at
-- which stage, and within how many days. One table for the installation
-- (the municipality's partnership); the coordinator edits it.
CREATE TABLE collaboration_protocol (
    stage     TEXT NOT NULL,
    org_kind  TEXT NOT NULL,
    template  TEXT NOT NULL,
    due_days  INTEGER NOT NULL,
    PRIMARY KEY (stage, org_kind, template)
);

-- A default protocol in our own words, after the Danube Roundtable's
-- operational steps 2-4 and the Danube guidelines' scheme of assistance
-- (/work/shared/seeds/danube-roundtable-coordination-structures.txt,
-- danube-guidelines-for-municipalities.txt); each city adapts it.
INSERT INTO collaboration_protocol (stage, org_kind, template, due_days) VALUES
    ('screening', 'ngo', 'inform_rights', 2),
    ('reasonable_grounds', 'social_services', 'convene_unit', 2),
    ('reasonable_grounds', 'ngo', 'needs_assessment', 3),
    ('crisis_intervention', 'social_services', 'safe_accommodation', 1),
    ('crisis_intervention', 'ngo', 'interpretation', 1),
    ('crisis_intervention', 'police', 'risk_assessment', 2),
    ('crisis_intervention', 'health_service', 'medical_check', 3),
    ('crisis_intervention', 'ngo', 'legal_counselling', 5),
    ('reflection_recovery', 'ngo', 'psychological_support', 7),
    ('reflection_recovery', 'ngo', 'documents', 14),
    ('reflection_recovery', 'migration_authority', 'residence_permit', 14),
    ('long_term_assistance', 'social_services', 'long_term_plan', 14),
    ('long_term_assistance', 'ngo', 'compensation_claim', 30),
    ('inclusion', 'social_services', 'vocational_training', 30),
    ('voluntary_return', 'ngo', 'return_risk_assessment', 7),
    ('voluntary_return', 'migration_authority', 'travel_documents', 14),
    ('resettlement', 'migration_authority', 'resettlement_application', 14);

-- A user's calendar feed (iCalendar over HTTPS): calendar apps cannot sign
-- in, so a random token in the URL authenticates; only its SHA-256 is kept.
CREATE TABLE calendar_feeds (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    token_hash BLOB NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
