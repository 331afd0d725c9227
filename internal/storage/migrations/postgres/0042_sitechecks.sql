-- Site checks (issue 13, item 3): visits to the sites of the municipality's
-- contracts, answered on a questionnaire (sitechecks/questionnaire), the
-- findings they make with their severity, the corrective actions that
-- answer each finding, and the screenings a check opened. Nothing here is
-- about a person: answers are counts and yes/no about the site, texts
-- describe the site. Contracts and sites belong to procurement (0041),
-- which decides who may read them.
CREATE TABLE site_checks (
    id           TEXT PRIMARY KEY,
    contract_id  TEXT NOT NULL REFERENCES procurement_contracts (id),
    site_id      TEXT NOT NULL REFERENCES procurement_sites (id),
    -- YYYY-MM-DD.
    checked_on   TEXT NOT NULL,
    -- Who checked: the inspectors' roles or names and their organisation.
    inspectors   TEXT NOT NULL,
    organisation TEXT NOT NULL,
    -- The questionnaire's form_id and version the answers follow, and the
    -- answers as forms.Answers JSON.
    form_id      TEXT NOT NULL,
    form_version TEXT NOT NULL,
    answers      TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX site_checks_contract ON site_checks (contract_id, checked_on);
CREATE INDEX site_checks_site ON site_checks (site_id, checked_on);

-- A finding: derived from an answer that signals a problem (signal is the
-- question's name) or entered by hand (signal ''). An empty description
-- shows the signal's standard text.
CREATE TABLE site_check_findings (
    id          TEXT PRIMARY KEY,
    check_id    TEXT NOT NULL REFERENCES site_checks (id),
    -- 'critical', 'high', 'medium' or 'low'.
    severity    TEXT NOT NULL,
    signal      TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX site_check_findings_check ON site_check_findings (check_id);

-- The corrective action plan: what is to be done about a finding, by
-- whom ('supplier' or 'organisation'), by when (YYYY-MM-DD), how it is
-- verified and when it was, and where it stands ('open', 'in_progress',
-- 'verified', 'not_resolved').
CREATE TABLE site_check_actions (
    id           TEXT PRIMARY KEY,
    finding_id   TEXT NOT NULL REFERENCES site_check_findings (id),
    action       TEXT NOT NULL,
    owner        TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    verification TEXT NOT NULL DEFAULT '',
    verified_on  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX site_check_actions_finding ON site_check_actions (finding_id, status, due_on);

-- The screenings a check started for the workers it found signs about.
CREATE TABLE site_check_screenings (
    check_id     TEXT NOT NULL REFERENCES site_checks (id),
    screening_id TEXT NOT NULL REFERENCES screenings (id),
    started_by   TEXT NOT NULL REFERENCES users (id),
    started_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (check_id, screening_id)
);
