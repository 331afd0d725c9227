-- Reports from the public: what someone saw, sent through the anonymous
-- form, and the thread in which staff ask the reporter questions. Nothing
-- about the reporter's device or address is stored. Free text (what was
-- seen, the area, contact details, thread messages) and attachments are
-- encrypted with the data key of the record "reports/<id>", so forgetting
-- that key erases all of them at once. Report ids are random (UUIDv4, not
-- v7) and times are kept to the minute, so neither can be matched against
-- a proxy's access log to find out who sent a report.
CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    -- The receiving organisation; NULL while the installation has none.
    org_id            TEXT REFERENCES organisations (id),
    -- 'new' (sent with a valid proof of work) or 'held' (without one: held
    -- for review with lower trust).
    status            TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    place_type        TEXT NOT NULL,
    -- YYYY-MM-DD or '' when the reporter did not say.
    seen_on           TEXT NOT NULL,
    time_of_day       TEXT NOT NULL,
    people            TEXT NOT NULL,
    age_group         TEXT NOT NULL,
    gender            TEXT NOT NULL,
    -- JSON array of indicator ids from the field guide.
    signs             TEXT NOT NULL,
    language          TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    details           BYTEA NOT NULL,
    area              BYTEA,
    contact           BYTEA,
    -- Receipt code: a short keyed lookup value (see package intake) and
    -- the argon2id hash that verifies the code.
    receipt_lookup    BYTEA NOT NULL,
    receipt_hash      TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_receipt ON reports (receipt_lookup);
CREATE INDEX reports_queue ON reports (status, org_id, created_at);

-- The two-way thread: staff questions and the reporter's answers, numbered
-- per report.
CREATE TABLE report_messages (
    report_id      TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    n              INTEGER NOT NULL,
    -- 'staff' or 'reporter'.
    author         TEXT NOT NULL,
    author_user_id TEXT REFERENCES users (id),
    body           BYTEA NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (report_id, n)
);

-- Attachments: images re-encoded without their metadata, PDFs as sent;
-- encrypted in the database. size is the plaintext size, counted against
-- the installation's attachment quota.
CREATE TABLE report_attachments (
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    content    BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (report_id, n)
);

-- Proof-of-work challenges already used, kept until they expire so each
-- counts once.
CREATE TABLE pow_spent (
    challenge  BYTEA PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pow_spent_expires ON pow_spent (expires_at);
