-- Memoranda of cooperation between partners of the local partnership and
-- the named contact persons of each organisation (issue 12 item 8).

-- An agreement: its title and scope are institutional text, not data about
-- a person, and stay in the clear. The signed document (a PDF) carries the
-- signatories' names and signatures: it is sealed under "agreements/<id>".
CREATE TABLE agreements (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    scope         TEXT NOT NULL DEFAULT '',
    -- 'draft', 'signed' or 'ended'.
    status        TEXT NOT NULL,
    -- YYYY-MM-DD, or '' while not signed / without a renewal date.
    signed_on     TEXT NOT NULL DEFAULT '',
    renew_on      TEXT NOT NULL DEFAULT '',
    -- How many days before renew_on the coordinators are mailed, and the
    -- renew_on they were last mailed about: a date moved is reminded anew.
    remind_days   INTEGER NOT NULL DEFAULT 30,
    reminded_for  TEXT NOT NULL DEFAULT '',
    -- Parties outside the partnership, one per line.
    outside       TEXT NOT NULL DEFAULT '',
    document      BYTEA,
    document_size INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_by    TEXT NOT NULL REFERENCES users (id),
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX agreements_renew ON agreements (status, renew_on);

-- The organisations of the partnership that are party to an agreement.
CREATE TABLE agreement_parties (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (agreement_id, org_id)
);

-- A named contact person of an organisation: name, phone and e-mail are the
-- staff member's personal data, sealed under "contacts/<id>".
CREATE TABLE org_contacts (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    name       BYTEA NOT NULL,
    phone      BYTEA NOT NULL,
    email      BYTEA,
    job_title  TEXT NOT NULL DEFAULT '',
    hours      TEXT NOT NULL DEFAULT '',
    -- JSON array of ISO 639 codes (the languages the person speaks).
    languages  TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX org_contacts_org ON org_contacts (org_id);
