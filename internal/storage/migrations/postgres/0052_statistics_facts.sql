-- The statistics' per-person facts (issue 14 item 7): what the dimensional
-- model derives from the records, stored so that a dashboard reads one
-- year's rows instead of every case. Derived from codes and dates only,
-- never the encrypted identity; rebuilt in full by `waymark statistics
-- rebuild` and refreshed per person key after a change (package
-- statistics, facts.go). No foreign keys: the facts follow the records,
-- and a refresh removes the facts of a case that is gone.

-- One row per person (statistics.Person). Times are NULL when the person
-- has not reached them; citizenships is a JSON array of ISO codes.
-- first_year is the year of first contact (the timings count persons first
-- met in a year).
CREATE TABLE stat_persons (
    person_key       TEXT PRIMARY KEY,
    first_contact    TIMESTAMPTZ NOT NULL,
    first_year       INTEGER NOT NULL,
    assisted         TIMESTAMPTZ,
    first_grounds    TIMESTAMPTZ,
    reflection       TIMESTAMPTZ,
    permit           TIMESTAMPTZ,
    form             TEXT NOT NULL,
    gender           TEXT NOT NULL,
    age_band         TEXT NOT NULL,
    population       TEXT NOT NULL,
    citizenship      TEXT NOT NULL,
    citizenships     TEXT NOT NULL,
    stage            TEXT NOT NULL,
    org_id           TEXT NOT NULL,
    org_kind         TEXT NOT NULL,
    registering_org  TEXT NOT NULL,
    registering_kind TEXT NOT NULL,
    area             TEXT NOT NULL
);
CREATE INDEX stat_persons_first_year ON stat_persons (first_year);

-- A person's events (statistics.Event), seq ordering them within the
-- person as the model does (by day, ties in the order of the records).
CREATE TABLE stat_events (
    person_key TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    indicator  TEXT NOT NULL,
    day        TIMESTAMPTZ NOT NULL,
    year       INTEGER NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (person_key, seq)
);
CREATE INDEX stat_events_year ON stat_events (year, indicator, person_key);

-- Which records ('case' or 'referral') each person's facts were derived
-- from: a refresh recomputes the persons of the records that changed,
-- including a person a record has left.
CREATE TABLE stat_sources (
    kind       TEXT NOT NULL,
    source_id  TEXT NOT NULL,
    person_key TEXT NOT NULL,
    PRIMARY KEY (kind, source_id)
);
CREATE INDEX stat_sources_person ON stat_sources (person_key);

-- Scratch rows of one refresh ('case', 'referral' and 'key' ids), filled
-- and emptied inside its transaction: the records and persons it
-- recomputes, joined by index instead of passed as parameters.
CREATE TABLE stat_scope (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);

-- The one row of the facts' state: version counts the changes (a
-- dashboard keeps its computed figures per version), built_at is the last
-- full rebuild (NULL: never built), watermark the time up to which changes
-- are taken in, and the *_seen values the newest change of each source at
-- that refresh (a dashboard compares them with the records' to know
-- whether anything changed since).
CREATE TABLE stat_state (
    id             INTEGER PRIMARY KEY,
    version        BIGINT NOT NULL,
    built_at       TIMESTAMPTZ,
    watermark      TIMESTAMPTZ,
    cases_seen     TEXT NOT NULL DEFAULT '',
    referrals_seen TEXT NOT NULL DEFAULT '',
    decisions_seen TEXT NOT NULL DEFAULT ''
);
INSERT INTO stat_state (id, version) VALUES (1, 0);

-- What a refresh looks up: the records changed since the watermark, and a
-- report's screening (a case opened from a report belongs to it).
CREATE INDEX stat_cases_updated ON cases (updated_at);
CREATE INDEX stat_referrals_updated ON referrals (updated_at);
CREATE INDEX stat_decisions_created ON referral_decisions (created_at);
CREATE INDEX stat_reports_screening ON reports (screening_id);
