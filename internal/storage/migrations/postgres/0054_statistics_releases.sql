-- Releases of statistics (issue 14 items 5 and 6): a table leaves Waymark
-- only as a release of a preset for a period to a named recipient,
-- prepared by one person and approved by a second. recipient_key is the
-- recipient and organisation as compared (case and spaces folded): every
-- approved release to one key is in that recipient's ledger.
CREATE TABLE stat_releases (
    id            TEXT PRIMARY KEY,
    preset        TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    recipient_key TEXT NOT NULL,
    threshold     INTEGER NOT NULL,
    rounding      INTEGER NOT NULL,
    sensitive     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('prepared', 'approved', 'rejected')),
    prepared_by   TEXT NOT NULL REFERENCES users (id),
    prepared_at   TIMESTAMPTZ NOT NULL,
    decided_by    TEXT REFERENCES users (id),
    decided_at    TIMESTAMPTZ
);
CREATE INDEX stat_releases_recipient ON stat_releases (recipient_key, status);
CREATE INDEX stat_releases_prepared ON stat_releases (prepared_at);

-- The release ledger: per table of a release, what was published (a
-- disclosure.Release as JSON: the shown figures, the status of each cell,
-- and for a suppressed cell only what the recipient may assume about it).
-- The raw counts of suppressed cells are never stored.
CREATE TABLE stat_release_tables (
    release_id TEXT NOT NULL REFERENCES stat_releases (id),
    position   INTEGER NOT NULL,
    code       TEXT NOT NULL,
    published  TEXT NOT NULL,
    PRIMARY KEY (release_id, position)
);
