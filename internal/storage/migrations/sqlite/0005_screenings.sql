-- Indicator screenings a frontline worker runs, kept as drafts between the
-- pages of the guided form. A screening holds no name or other identifying
-- data: only the setting, what is known of the age, and the answers to the
-- catalogue's questions (a JSON object of indicator id → yes/no/unknown/
-- declined), evaluated again whenever it is shown.
CREATE TABLE screenings (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organisations (id),
    created_by        TEXT NOT NULL REFERENCES users (id),
    setting           TEXT NOT NULL,
    -- Age in years when known (NULL when not known), whether it is an
    -- estimate, and whether there are reasons to believe the person is a
    -- child (the age presumption); flags are 0 or 1.
    age_years         INTEGER,
    age_estimated     INTEGER NOT NULL DEFAULT 0,
    age_child_reasons INTEGER NOT NULL DEFAULT 0,
    answers           TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    -- 'draft' or 'completed'.
    status            TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    completed_at      TIMESTAMP
);
CREATE INDEX screenings_org_updated ON screenings (org_id, updated_at);
