-- Legal status, kept apart from assistance (issue #5 item 6): the
-- reflection and recovery period's extensions, residence permits, asylum,
-- criminal proceedings and compensation claims. These are the person's own
-- records; nothing in assistance reads them, so no help can be made to
-- depend on cooperation with the authorities.
--
-- The tables carry the case only: the organisation that may see a record
-- is the case's (ownership moves with a transfer), so every query reaches
-- these rows through the case gate. Free text (reference numbers, issuing
-- authorities) is encrypted under the case's record "cases/<id>", so
-- erasing a case forgets it with one key. Dates are YYYY-MM-DD; '' is
-- "not known yet". Each kind of record is numbered per case (1, 2, …) for
-- the people who talk about "the second permit".

-- Extensions of the reflection and recovery period; the period itself
-- (start, current end) lives on the case. Append-only: a shortening is
-- refused, so the history only ever moves the end later.
CREATE TABLE legal_reflection_extensions (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    previous_end TEXT NOT NULL,
    new_end      TEXT NOT NULL,
    -- Why, as a code (legalstatus.ExtensionReasons).
    reason       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX legal_reflection_extensions_case ON legal_reflection_extensions (case_id, recorded_at);

-- Residence permits. A renewal is a new row naming the permit it renews.
CREATE TABLE legal_permits (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    number      INTEGER NOT NULL,
    -- Codes: legalstatus.PermitTypes and PermitStatuses.
    type        TEXT NOT NULL,
    status      TEXT NOT NULL,
    start_on    TEXT NOT NULL DEFAULT '',
    expires_on  TEXT NOT NULL DEFAULT '',
    -- Encrypted: the permit's reference number and the issuing authority.
    reference   BYTEA,
    authority   BYTEA,
    renews_id   TEXT REFERENCES legal_permits (id),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, number)
);
CREATE INDEX legal_permits_renews ON legal_permits (renews_id);

-- Asylum applications (a later application is a new row).
CREATE TABLE legal_asylum (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    number      INTEGER NOT NULL,
    applied_on  TEXT NOT NULL DEFAULT '',
    -- Code: legalstatus.AsylumStatuses.
    status      TEXT NOT NULL,
    decided_on  TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, number)
);

-- Criminal proceedings. cooperation is the person's own choice whether to
-- cooperate with investigation and prosecution; it is recorded here and
-- nowhere else, and never in a timeline or audit detail.
CREATE TABLE legal_proceedings (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    number       INTEGER NOT NULL,
    -- Codes: legalstatus.ProceedingRoles, ProceedingStages, CooperationChoices.
    role         TEXT NOT NULL,
    stage        TEXT NOT NULL,
    cooperation  TEXT NOT NULL,
    next_hearing TEXT NOT NULL DEFAULT '',
    -- Encrypted: the court's or prosecutor's file reference.
    reference    BYTEA,
    recorded_by  TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_by   TEXT NOT NULL REFERENCES users (id),
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, number)
);

-- Compensation claims. Amounts are in minor units (cents) of currency;
-- NULL is "not known".
CREATE TABLE legal_compensation (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    number         INTEGER NOT NULL,
    -- Codes: legalstatus.CompensationTypes and CompensationStatuses.
    type           TEXT NOT NULL,
    status         TEXT NOT NULL,
    filed_on       TEXT NOT NULL DEFAULT '',
    currency       TEXT NOT NULL,
    amount_claimed BIGINT,
    amount_awarded BIGINT,
    recorded_by    TEXT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_by     TEXT NOT NULL REFERENCES users (id),
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, number)
);
