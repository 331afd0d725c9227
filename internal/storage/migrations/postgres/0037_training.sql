-- Training of the people who can identify victims (issue 12 item 7;
-- Danube guidelines §3.1 and §3.4; capacity building in the round-table
-- synopsis): needs by organisation and role, sessions with their audience
-- and materials, attendance as numbers per organisation and role, and the
-- named contact points a session trained. Actor groups are this
-- capability's own codes (police, inspectors, health, …), not organisation
-- kinds, because taxi drivers or procurement officials have none.

-- A training need: which actor group (and, when known, which organisation
-- and job role) needs what topic. source_kind 'mapping_round' names the
-- round in source_id (no foreign key: the mapping is another capability's
-- table); 'entered' needs were typed in.
CREATE TABLE training_needs (
    id          TEXT PRIMARY KEY,
    org_id      TEXT REFERENCES organisations (id),
    actor_group TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL,
    -- 'high', 'medium' or 'low'.
    priority    TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id   TEXT NOT NULL DEFAULT '',
    -- 'open' or 'met'.
    status      TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX training_needs_group ON training_needs (status, actor_group);

-- A session. The trainer is named as a professional; audience groups and
-- languages are JSON arrays of codes.
CREATE TABLE training_sessions (
    id              TEXT PRIMARY KEY,
    starts_at       TIMESTAMPTZ NOT NULL,
    topic           TEXT NOT NULL,
    audience_groups TEXT NOT NULL DEFAULT '[]',
    audience_roles  TEXT NOT NULL DEFAULT '',
    trainer         TEXT NOT NULL,
    languages       TEXT NOT NULL DEFAULT '[]',
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users (id),
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX training_sessions_start ON training_sessions (starts_at);

-- Material of a session: a title and a link.
CREATE TABLE training_materials (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES training_sessions (id),
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX training_materials_session ON training_materials (session_id, position);

-- How many people of an organisation (NULL: from outside the partnership,
-- such as a taxi company's drivers), actor group and job role attended.
CREATE TABLE training_attendance (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES training_sessions (id),
    org_id      TEXT REFERENCES organisations (id),
    actor_group TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    attended    INTEGER NOT NULL CHECK (attended >= 0)
);
CREATE INDEX training_attendance_session ON training_attendance (session_id);

-- A named contact point of an organisation that a session trained; the
-- name is sealed under "training/contacts/<id>".
CREATE TABLE training_contacts (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES training_sessions (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    name       BYTEA NOT NULL,
    function   TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX training_contacts_org ON training_contacts (org_id);
CREATE INDEX training_contacts_session ON training_contacts (session_id);
