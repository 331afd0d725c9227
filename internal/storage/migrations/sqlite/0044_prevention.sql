-- Prevention work beside procurement and campaigns (issue 13 items 5-7;
-- Danube guidelines §3.4 and p. xii, drop-in centres and cultural
-- mediators in the OSCE paper): outreach sessions, businesses and sector
-- associations engaged with their commitments, joint inspections, and the
-- intelligence channel to the police contact points. None of these tables
-- holds a person's data or links to a case. Dates are YYYY-MM-DD in the
-- installation's local time; areas are the city's area codes (geo) and
-- location types and sectors are the codes of the mapping's shipped lists,
-- kept without foreign keys because those vocabularies live elsewhere.

-- An outreach session: when, where (an area, a kind of place or both),
-- what was handed out and how many people were referred. org_id is the
-- organisation that recorded it, which a case worker's scope reads.
CREATE TABLE outreach_sessions (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    held_on       TEXT NOT NULL,
    area_code     TEXT NOT NULL DEFAULT '',
    location_type TEXT NOT NULL DEFAULT '',
    materials     INTEGER NOT NULL DEFAULT 0,
    -- A campaign material's attribution code, as typed.
    material_code TEXT NOT NULL DEFAULT '',
    referrals     INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX outreach_sessions_held ON outreach_sessions (held_on);

-- The team: how many staff of each organisation went out.
CREATE TABLE outreach_team (
    session_id TEXT NOT NULL REFERENCES outreach_sessions (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    staff      INTEGER NOT NULL,
    PRIMARY KEY (session_id, org_id)
);

-- Cultural mediators of the interpreter register who went out.
CREATE TABLE outreach_mediators (
    session_id     TEXT NOT NULL REFERENCES outreach_sessions (id),
    interpreter_id TEXT NOT NULL REFERENCES interpreters (id),
    PRIMARY KEY (session_id, interpreter_id)
);

-- Contacts made, counted per group (outreach.Groups).
CREATE TABLE outreach_contacts (
    session_id    TEXT NOT NULL REFERENCES outreach_sessions (id),
    contact_group TEXT NOT NULL,
    contacts      INTEGER NOT NULL,
    PRIMARY KEY (session_id, contact_group)
);

-- A business or sector association engaged; the contact organisation is
-- the partner that keeps in touch with it.
CREATE TABLE businesses (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    sector         TEXT NOT NULL,
    -- 'business' or 'association'.
    kind           TEXT NOT NULL,
    contact_org_id TEXT REFERENCES organisations (id),
    created_by     TEXT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX businesses_name ON businesses (name);

-- A commitment a business made (businesses.CommitmentKinds), when, and
-- when it is next followed up. reminded_for is the follow-up date the
-- keepers were last mailed about.
CREATE TABLE business_commitments (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES businesses (id),
    kind         TEXT NOT NULL,
    made_on      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    follow_up_on TEXT NOT NULL DEFAULT '',
    followed_on  TEXT NOT NULL DEFAULT '',
    reminded_for TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX business_commitments_business ON business_commitments (business_id, made_on);
CREATE INDEX business_commitments_follow_up ON business_commitments (follow_up_on);

-- A joint inspection planned from the mapping's kinds of place, areas and
-- sectors, and what it found: numbers only.
CREATE TABLE inspections (
    id                 TEXT PRIMARY KEY,
    planned_on         TEXT NOT NULL,
    location_type      TEXT NOT NULL,
    area_code          TEXT NOT NULL DEFAULT '',
    sector             TEXT NOT NULL,
    -- 'planned' or 'held'.
    status             TEXT NOT NULL,
    held_on            TEXT NOT NULL DEFAULT '',
    workers_met        INTEGER NOT NULL DEFAULT 0,
    screenings_started INTEGER NOT NULL DEFAULT 0,
    referrals          INTEGER NOT NULL DEFAULT 0,
    follow_up          TEXT NOT NULL DEFAULT '',
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         TIMESTAMP NOT NULL,
    updated_by         TEXT NOT NULL REFERENCES users (id),
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX inspections_planned ON inspections (planned_on);

-- The agencies taking part (inspectorates and police).
CREATE TABLE inspection_agencies (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (inspection_id, org_id)
);

-- The sites an inspection visits: a business address and its kind of
-- place, never a person.
CREATE TABLE inspection_sites (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    position      INTEGER NOT NULL,
    address       TEXT NOT NULL,
    site_type     TEXT NOT NULL
);
CREATE INDEX inspection_sites_inspection ON inspection_sites (inspection_id, position);

-- Information about a business, place or recruiter for the police contact
-- points. The text may name suspects and is sealed under
-- "intelligence/<id>". Kept apart from case data: no case id, no person.
CREATE TABLE intelligence_entries (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    submitted_by  TEXT NOT NULL REFERENCES users (id),
    submitted_at  TIMESTAMP NOT NULL,
    -- 'business', 'place' or 'recruiter'.
    about         TEXT NOT NULL,
    sector        TEXT NOT NULL DEFAULT '',
    area_code     TEXT NOT NULL DEFAULT '',
    text          BLOB NOT NULL,
    -- 'new', 'received', 'acted_upon' or 'not_actionable'.
    status        TEXT NOT NULL,
    status_by     TEXT REFERENCES users (id),
    status_at     TIMESTAMP
);
CREATE INDEX intelligence_entries_submitted ON intelligence_entries (submitted_at);
CREATE INDEX intelligence_entries_submitter ON intelligence_entries (submitted_by, submitted_at);
