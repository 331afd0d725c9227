-- Risk assessment as a living record, and the child protection part of a
-- case. Free text about the person (summaries, notes, the guardian's name
-- and contact, best-interest outcomes) is sealed with the case's vault
-- record ("cases/<case id>"), so erasing a case forgets one key; what stays
-- in the clear is codes and dates the dashboards and filters need.

-- Risk assessments, append-only: the newest is the current one, the others
-- are its history. The case's current level is copied to cases.risk_level
-- for the case list, and the next review to case_deadlines ('risk_review').
CREATE TABLE risk_assessments (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    -- cases.RiskLevels: 'low', 'medium', 'high' or 'critical'.
    level       TEXT NOT NULL,
    -- JSON array of risk factor codes (risk.Factors).
    factors     TEXT NOT NULL,
    summary     BYTEA,
    -- The next review (YYYY-MM-DD).
    review_on   TEXT NOT NULL,
    assessed_by TEXT NOT NULL REFERENCES users (id),
    assessed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX risk_assessments_case ON risk_assessments (case_id, assessed_at);

-- Events that change the risk (the trafficker found the address, a threat):
-- one recorded after the current assessment calls for a new one.
CREATE TABLE risk_incidents (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    -- risk.IncidentKinds.
    kind        TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    note        BYTEA,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX risk_incidents_case ON risk_incidents (case_id, recorded_at);

-- A child's guardians over time. Who the guardian is (name, organisation,
-- contact) is encrypted in details; the kind and dates are codes.
CREATE TABLE child_guardians (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    -- children.GuardianKinds, e.g. 'appointed_guardian'.
    kind         TEXT NOT NULL,
    details      BYTEA NOT NULL,
    appointed_on TEXT NOT NULL,
    -- '' while the guardianship lasts.
    ended_on     TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX child_guardians_case ON child_guardians (case_id, appointed_on);

-- Best-interest assessments, append-only; the newest sets the next review
-- (case_deadlines 'best_interest_review').
CREATE TABLE child_assessments (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    held_on      TEXT NOT NULL,
    -- JSON array of who took part (children.Participants).
    participants TEXT NOT NULL,
    -- Whether the child was heard (the right to be heard).
    child_heard  INTEGER NOT NULL,
    -- children.Decisions.
    decision     TEXT NOT NULL,
    outcome      BYTEA,
    review_on    TEXT NOT NULL,
    recorded_by  TEXT NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX child_assessments_case ON child_assessments (case_id, recorded_at);

-- The plan for the transition at 18: one per case, changed in place (the
-- timeline keeps each change as an event).
CREATE TABLE child_transitions (
    case_id    TEXT PRIMARY KEY REFERENCES cases (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    -- JSON array of aftercare options (children.AftercareOptions).
    options    TEXT NOT NULL,
    notes      BYTEA,
    -- children.TransitionStatuses.
    status     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);
