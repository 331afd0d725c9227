-- Case management: one case follows one person through the local referral
-- mechanism. The person's identity (name, date of birth, contact details)
-- lives only in the encrypted column `identity` (record "cases/<id>");
-- everything else here is codes and dates, which the case list filters on.

-- People found together (e.g. workers at one site) are linked cases.
CREATE TABLE case_groups (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    -- Pseudonymous group code, e.g. G-7K3Q-92XD.
    code       TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE cases (
    id                TEXT PRIMARY KEY,
    -- Pseudonymous case code, e.g. C-7K3Q-92XD: random, never derived from
    -- anything about the person.
    code              TEXT NOT NULL UNIQUE,
    -- The organisation that owns (manages) the case.
    org_id            TEXT NOT NULL REFERENCES organisations (id),
    group_id          TEXT REFERENCES case_groups (id),
    -- Where the case came from: 'referral', 'report', 'direct' or 'import',
    -- and the id of that referral or report.
    origin            TEXT NOT NULL,
    origin_id         TEXT NOT NULL DEFAULT '',
    -- The lifecycle stage (cases.Stages) and since when.
    stage             TEXT NOT NULL,
    stage_since       TIMESTAMPTZ NOT NULL,
    -- The stage a closed case was closed from, and the reason code.
    closed_from       TEXT NOT NULL DEFAULT '',
    close_reason      TEXT NOT NULL DEFAULT '',
    -- The responsible case worker of the owning organisation.
    worker_id         TEXT REFERENCES users (id),
    -- Demographics as codes, kept in the clear for filters and statistics:
    -- gender (HTCDS vocabulary), age band, whether the age is estimated,
    -- citizenships and languages (JSON arrays of ISO codes), interpreter.
    gender            TEXT NOT NULL,
    age_band          TEXT NOT NULL,
    age_estimated     INTEGER NOT NULL,
    child             INTEGER NOT NULL,
    -- For a child: the first day of the month the person turns 18 (the
    -- exact date of birth stays encrypted), YYYY-MM-DD.
    majority_month    TEXT NOT NULL DEFAULT '',
    citizenships      TEXT NOT NULL,
    languages         TEXT NOT NULL,
    interpreter       INTEGER NOT NULL,
    -- The safe way to contact the person, as a code; the details are in identity.
    contact_method    TEXT NOT NULL,
    -- JSON array of forms of exploitation (identification purposes).
    exploitation      TEXT NOT NULL,
    -- The current risk level ('', 'low', 'medium', 'high', 'critical'),
    -- kept by the risk capability.
    risk_level        TEXT NOT NULL DEFAULT '',
    -- The reflection and recovery period, once started (YYYY-MM-DD).
    reflection_start  TEXT NOT NULL DEFAULT '',
    reflection_end    TEXT NOT NULL DEFAULT '',
    identity          BYTEA,
    created_by        TEXT NOT NULL REFERENCES users (id),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    closed_at         TIMESTAMPTZ,
    -- Set when retention anonymised the case: identity and free text are gone.
    anonymised_at     TIMESTAMPTZ
);
CREATE INDEX cases_org_stage ON cases (org_id, stage, updated_at);
CREATE INDEX cases_org_updated ON cases (org_id, updated_at);
CREATE INDEX cases_worker ON cases (worker_id, stage);
CREATE INDEX cases_group ON cases (group_id);
CREATE INDEX cases_origin ON cases (origin, origin_id);
CREATE INDEX cases_closed ON cases (closed_at);

-- Who works on a case and may see the identity (need to know).
CREATE TABLE case_members (
    case_id  TEXT NOT NULL REFERENCES cases (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    org_id   TEXT NOT NULL REFERENCES organisations (id),
    added_by TEXT NOT NULL REFERENCES users (id),
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_members_user ON case_members (user_id);

-- Lifecycle history, append-only.
CREATE TABLE case_stages (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    moved_by   TEXT NOT NULL REFERENCES users (id),
    moved_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_stages_case ON case_stages (case_id, moved_at);

-- The timeline: everything that happened to a case, by any capability.
-- detail holds codes only; a note's text is encrypted in body.
CREATE TABLE case_events (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    kind       TEXT NOT NULL,
    -- The category of data the event belongs to (cases.Category); a
    -- receiving organisation sees only the categories it was given.
    category   TEXT NOT NULL,
    ref_id     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    body       BYTEA,
    -- A note's attachment: file name and type (encrypted with the body's key).
    attachment BYTEA,
    actor_id   TEXT REFERENCES users (id),
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, at);

-- Informed consent records. Append-only except for withdrawal.
CREATE TABLE case_consents (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    -- JSON arrays: purposes (cases.ConsentPurposes), organisations (ids)
    -- and categories of data (cases.Categories) the consent covers.
    purposes     TEXT NOT NULL,
    orgs         TEXT NOT NULL,
    categories   TEXT NOT NULL,
    -- The language the information was given in, and whether through an interpreter.
    language     TEXT NOT NULL,
    interpreter  INTEGER NOT NULL,
    -- How it was obtained ('written', 'oral_witnessed', 'oral_recorded')
    -- and by whom it was given ('person' or 'guardian').
    method       TEXT NOT NULL,
    given_by     TEXT NOT NULL,
    -- For a child: the child was heard and the guardian confirmed the
    -- consent serves the child's best interest.
    child_heard  INTEGER NOT NULL DEFAULT 0,
    best_interest INTEGER NOT NULL DEFAULT 0,
    given_on     TEXT NOT NULL,
    recorded_by  TEXT NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMPTZ NOT NULL,
    withdrawn_on TEXT NOT NULL DEFAULT '',
    withdrawn_by TEXT REFERENCES users (id),
    withdrawn_at TIMESTAMPTZ
);
CREATE INDEX case_consents_case ON case_consents (case_id, recorded_at);

-- A case shared with (read) or transferred to (ownership) another
-- organisation, which accepts or declines.
CREATE TABLE case_shares (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    from_org      TEXT NOT NULL REFERENCES organisations (id),
    to_org        TEXT NOT NULL REFERENCES organisations (id),
    -- 'share' or 'transfer'.
    kind          TEXT NOT NULL,
    -- JSON array of the categories the receiver may see.
    categories    TEXT NOT NULL,
    consent_id    TEXT NOT NULL REFERENCES case_consents (id),
    -- 'pending', 'accepted', 'declined' or 'ended'.
    status        TEXT NOT NULL,
    decline_reason TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    responded_by  TEXT REFERENCES users (id),
    responded_at  TIMESTAMPTZ,
    ended_at      TIMESTAMPTZ
);
CREATE INDEX case_shares_case ON case_shares (case_id, status);
CREATE INDEX case_shares_to ON case_shares (to_org, status, case_id);

-- Blind-index tokens of the person's names, so a worker can find a case by
-- name without the names being stored in the clear.
CREATE TABLE case_search (
    case_id TEXT NOT NULL REFERENCES cases (id),
    token   BYTEA NOT NULL,
    PRIMARY KEY (token, case_id)
);
CREATE INDEX case_search_case ON case_search (case_id);

-- Deadlines of every capability (task due, risk review, permit expiry,
-- reflection end, turning 18), one row each, so the deadlines dashboard and
-- reminders are one indexed query. kind + ref_id identify the source.
CREATE TABLE case_deadlines (
    kind        TEXT NOT NULL,
    ref_id      TEXT NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    -- The person responsible, if one is named; else the case's worker.
    user_id     TEXT REFERENCES users (id),
    due_on      TEXT NOT NULL,
    -- When to start reminding (YYYY-MM-DD), and when the e-mail reminder went out.
    remind_on   TEXT NOT NULL,
    reminded_at TIMESTAMPTZ,
    PRIMARY KEY (kind, ref_id)
);
CREATE INDEX case_deadlines_org_due ON case_deadlines (org_id, due_on);
CREATE INDEX case_deadlines_user_due ON case_deadlines (user_id, due_on);
CREATE INDEX case_deadlines_case ON case_deadlines (case_id);
CREATE INDEX case_deadlines_remind ON case_deadlines (remind_on, reminded_at);
