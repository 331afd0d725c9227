-- Issue 13, item 3, continued.
--
-- A screening's pre-filled answers: an answer filled in from another record
-- (a site check: what was seen at the site, not what the person said) is
-- marked until the screener confirms it with the person or changes it.
-- source names the kind of record ('site_check'), source_id which one and
-- source_on the date it was recorded (YYYY-MM-DD). resolution is '' while
-- the mark stands, then 'confirmed' or 'changed', with who and when.
CREATE TABLE screening_prefills (
    screening_id TEXT NOT NULL REFERENCES screenings (id),
    question_id  TEXT NOT NULL,
    answer       TEXT NOT NULL,
    source       TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    source_on    TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    resolution   TEXT NOT NULL DEFAULT '',
    resolved_by  TEXT REFERENCES users (id),
    resolved_at  TIMESTAMP,
    PRIMARY KEY (screening_id, question_id)
);

-- The operator's own site-check questionnaires: XLSForm workbooks as
-- uploaded (source), one row per version of a form_id. indicators is JSON:
-- for each item mapped to the screening catalogue, the catalogue question
-- and the severity of the finding a yes gives.
CREATE TABLE site_check_forms (
    id          TEXT PRIMARY KEY,
    form_id     TEXT NOT NULL,
    version     TEXT NOT NULL,
    title       TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source      BLOB NOT NULL,
    indicators  TEXT NOT NULL,
    imported_by TEXT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (form_id, version)
);

-- A finding derived from an answer that an edit of the check's answers
-- took back, kept because corrective actions were planned for it: the
-- time of that edit (NULL while the answers still show it).
ALTER TABLE site_check_findings ADD COLUMN answer_withdrawn_at TIMESTAMP;
