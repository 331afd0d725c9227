-- The action plan (issue 12, item 5): findings of the local mapping, of a
-- working-group meeting or entered by the coordinator, the measures taken
-- on them with owners, partners, dates, resources and indicators, progress
-- the owners report, and re-checks of a finding by a later round, so the
-- next mapping shows which findings were acted on (Danube guidelines §3:
-- an intervention plan with owners and dates). Every text here is
-- institutional: no personal data is written to these tables.

-- A finding names where it came from as (source_kind, source_id) with no
-- foreign key: a mapping round, a working-group meeting or nothing
-- ('entered', source_id '').
CREATE TABLE plan_findings (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    -- One of the mapping topics (plan.Topics).
    topic       TEXT NOT NULL,
    -- The area (geo) code the finding is about, or ''.
    area_code   TEXT NOT NULL DEFAULT '',
    -- 'mapping_round', 'meeting' or 'entered'.
    source_kind TEXT NOT NULL,
    source_id   TEXT NOT NULL DEFAULT '',
    -- 'high', 'medium' or 'low'.
    priority    TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_findings_source ON plan_findings (source_kind, source_id);

-- Re-checks of a finding: whether the situation improved, stayed or got
-- worse, when, and by which round, meeting or note.
CREATE TABLE plan_rechecks (
    id          TEXT PRIMARY KEY,
    finding_id  TEXT NOT NULL REFERENCES plan_findings (id),
    -- 'improved', 'unchanged' or 'worse'.
    result      TEXT NOT NULL,
    -- YYYY-MM-DD.
    checked_on  TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_rechecks_finding ON plan_rechecks (finding_id, recorded_at);

-- Measures: dates are YYYY-MM-DD; the amount is in minor units (cents) of
-- the currency (ISO 4217), NULL when none is given.
CREATE TABLE plan_measures (
    id             TEXT PRIMARY KEY,
    objective      TEXT NOT NULL,
    owner_org      TEXT NOT NULL REFERENCES organisations (id),
    start_on       TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    next_review_on TEXT NOT NULL DEFAULT '',
    resources      TEXT NOT NULL DEFAULT '',
    amount_cents   BIGINT,
    currency       TEXT NOT NULL DEFAULT '',
    -- The existing municipal programme the measure belongs to, or ''.
    programme      TEXT NOT NULL DEFAULT '',
    -- 'planned', 'in_progress', 'done' or 'dropped'.
    status         TEXT NOT NULL,
    dropped_reason TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_measures_owner ON plan_measures (owner_org);
CREATE INDEX plan_measures_due ON plan_measures (status, due_on);

CREATE TABLE plan_measure_partners (
    measure_id TEXT NOT NULL REFERENCES plan_measures (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (measure_id, org_id)
);
CREATE INDEX plan_measure_partners_org ON plan_measure_partners (org_id);

CREATE TABLE plan_measure_findings (
    measure_id TEXT NOT NULL REFERENCES plan_measures (id),
    finding_id TEXT NOT NULL REFERENCES plan_findings (id),
    PRIMARY KEY (measure_id, finding_id)
);
CREATE INDEX plan_measure_findings_finding ON plan_measure_findings (finding_id);

CREATE TABLE plan_indicators (
    id         TEXT PRIMARY KEY,
    measure_id TEXT NOT NULL REFERENCES plan_measures (id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    unit       TEXT NOT NULL DEFAULT '',
    baseline   DOUBLE PRECISION NOT NULL,
    target     DOUBLE PRECISION NOT NULL
);
CREATE INDEX plan_indicators_measure ON plan_indicators (measure_id, position);

-- Progress an owner or partner organisation (or the coordinator) reported:
-- the status after it and a note.
CREATE TABLE plan_progress (
    id          TEXT PRIMARY KEY,
    measure_id  TEXT NOT NULL REFERENCES plan_measures (id),
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    status      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_progress_measure ON plan_progress (measure_id, recorded_at);

-- Measured values of an indicator over time, each with the progress
-- report it came with.
CREATE TABLE plan_indicator_values (
    id           TEXT PRIMARY KEY,
    indicator_id TEXT NOT NULL REFERENCES plan_indicators (id),
    progress_id  TEXT NOT NULL REFERENCES plan_progress (id),
    measured_on  TEXT NOT NULL,
    value        DOUBLE PRECISION NOT NULL
);
CREATE INDEX plan_indicator_values_indicator ON plan_indicator_values (indicator_id, measured_on);
