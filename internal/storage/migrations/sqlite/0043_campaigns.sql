-- Awareness campaigns whose effect is measured (issue 13 item 4; Danube
-- guidelines §3.4 on prevention aimed at the groups the mapping found).
-- A campaign names its audience by the mapping questionnaires' choice
-- names, declares behavioural targets before it is launched, and gives
-- every material a short attribution code that the public report form and
-- the hotline console record. The funnel is counted from those codes;
-- nothing here is about a person.

-- A campaign. Audience lists, languages and channels are JSON arrays of
-- codes. cta_report is 1 when the call to action is the public report
-- form; cta_phone is the hotline number it gives ('' for none). Dates are
-- YYYY-MM-DD. status is 'draft', 'running' or 'ended'.
CREATE TABLE campaigns (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    populations      TEXT NOT NULL DEFAULT '[]',
    sectors          TEXT NOT NULL DEFAULT '[]',
    location_types   TEXT NOT NULL DEFAULT '[]',
    languages        TEXT NOT NULL DEFAULT '[]',
    channels         TEXT NOT NULL DEFAULT '[]',
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    cta_text         TEXT NOT NULL DEFAULT '',
    cta_report       INTEGER NOT NULL DEFAULT 0,
    cta_phone        TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    launched_by      TEXT REFERENCES users (id),
    launched_at      TIMESTAMP,
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    updated_by       TEXT NOT NULL REFERENCES users (id),
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX campaigns_status ON campaigns (status, starts_on);

-- A behavioural target declared before launch: how many of a funnel step
-- (contacts, reports, screenings, referrals) by a date.
CREATE TABLE campaign_targets (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    measure     TEXT NOT NULL,
    target      INTEGER NOT NULL CHECK (target > 0),
    due_on      TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX campaign_targets_campaign ON campaign_targets (campaign_id);

-- A material (poster, leaflet, post, spot …) with its attribution code:
-- six characters from an alphabet without look-alike characters, unique
-- across every campaign so a code names one material.
CREATE TABLE campaign_materials (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    title       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    language    TEXT NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX campaign_materials_campaign ON campaign_materials (campaign_id);

-- Reach as the coordinator counted it (copies handed out, views, listeners),
-- per channel and, when known, per material.
CREATE TABLE campaign_reach (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    material_id TEXT REFERENCES campaign_materials (id),
    channel     TEXT NOT NULL,
    people      INTEGER NOT NULL CHECK (people >= 0),
    counted_on  TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX campaign_reach_campaign ON campaign_reach (campaign_id);

-- The harm log: what went wrong (a message misunderstood, a backlash, a
-- risk to people), described without naming anyone, and the coordinator's
-- review of it.
CREATE TABLE campaign_harms (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    kind         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    happened_on  TEXT NOT NULL,
    description  TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    reviewed_by  TEXT REFERENCES users (id),
    reviewed_at  TIMESTAMP,
    action_taken TEXT NOT NULL DEFAULT ''
);
CREATE INDEX campaign_harms_campaign ON campaign_harms (campaign_id);

-- "How did you hear about us": the attribution code a public report or a
-- hotline caller named, only when it is a material's code.
ALTER TABLE reports ADD COLUMN attribution_code TEXT;
CREATE INDEX reports_attribution ON reports (attribution_code);
ALTER TABLE calls ADD COLUMN attribution_code TEXT;
CREATE INDEX calls_attribution ON calls (attribution_code);
