-- Triage of reports and the hotline operator console.
--
-- A report is triaged by the organisation it is with (reports.org_id):
-- assigned to a person there, or forwarded to another organisation (which
-- then has it instead); classified; linked as a duplicate of another
-- report or to a referral's person code; dismissed with a reason; or
-- turned into a screening. Free text (the dismissal note, hand-over notes,
-- call notes) is sealed with the vault: for a report under the record
-- "reports/<id>", so forgetting that key erases it with the report; for a
-- call under "calls/<id>".

-- 'form' (the public form) or 'call' (made from a hotline call: no
-- receipt code, so nobody can open its thread).
ALTER TABLE reports ADD COLUMN source TEXT NOT NULL DEFAULT 'form';
-- The person of the report's organisation who works on it.
ALTER TABLE reports ADD COLUMN assigned_user_id TEXT REFERENCES users (id);
-- Staff classification: form of exploitation and type of place ('' while
-- unclassified; the reporter's own place_type stays as sent).
ALTER TABLE reports ADD COLUMN exploitation TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN triage_place_type TEXT NOT NULL DEFAULT '';
-- Set when a child is missing: the 24-hour clock runs from it.
ALTER TABLE reports ADD COLUMN missing_since TIMESTAMP;
-- Links: another report this one repeats, a referral's person code, the
-- screening the report was turned into, and on what basis
-- ('reporter_consented' or 'third_party').
ALTER TABLE reports ADD COLUMN duplicate_of TEXT REFERENCES reports (id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN case_code TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN screening_id TEXT REFERENCES screenings (id) ON DELETE SET NULL;
ALTER TABLE reports ADD COLUMN conversion TEXT NOT NULL DEFAULT '';
-- Dismissal: a reason code and an optional note (sealed). The time of the
-- dismissal is dismissed_at (migration 0009, used by retention).
ALTER TABLE reports ADD COLUMN dismiss_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN dismiss_note BLOB;
-- When the report left the queue (dismissed, duplicate, linked, screening).
ALTER TABLE reports ADD COLUMN closed_at TIMESTAMP;
-- The first staff action on the report, measured against the deadline of
-- its urgency: when, by whom, and which kind ('question', 'classification',
-- 'assignment', 'duplicate', 'case_link', 'dismissal', 'conversion', 'call').
ALTER TABLE reports ADD COLUMN first_response_at TIMESTAMP;
ALTER TABLE reports ADD COLUMN first_response_by TEXT REFERENCES users (id);
ALTER TABLE reports ADD COLUMN first_response TEXT NOT NULL DEFAULT '';
CREATE INDEX reports_triage ON reports (org_id, status, urgency, created_at);

-- Calls to the hotline as the operator logged them. Codes only, except the
-- sealed notes. A call may be turned into a report (report_id).
CREATE TABLE calls (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    taken_by      TEXT NOT NULL REFERENCES users (id),
    -- 'victim', 'witness', 'family', 'professional' or 'other'.
    caller_type   TEXT NOT NULL,
    -- BCP 47 tag of the language the call was held in, or 'other'.
    language      TEXT NOT NULL,
    topic         TEXT NOT NULL,
    -- JSON array of codes of the information given.
    info_given    TEXT NOT NULL,
    -- The partner organisation the caller was referred to, if any.
    referred_to   TEXT REFERENCES organisations (id),
    child         INTEGER NOT NULL DEFAULT 0,
    danger        INTEGER NOT NULL DEFAULT 0,
    -- A missing child: the 24-hour clock runs from called_at.
    missing_child INTEGER NOT NULL DEFAULT 0,
    notes         BLOB,
    report_id     TEXT REFERENCES reports (id) ON DELETE SET NULL,
    -- 'open' or 'closed'.
    status        TEXT NOT NULL,
    called_at     TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    closed_at     TIMESTAMP
);
CREATE INDEX calls_org ON calls (org_id, status, called_at);

-- Hand-over between shifts: an open call or report flagged with a short
-- sealed note for the next operator, until someone takes it over.
CREATE TABLE handovers (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    report_id  TEXT REFERENCES reports (id) ON DELETE CASCADE,
    call_id    TEXT REFERENCES calls (id) ON DELETE CASCADE,
    note       BLOB NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    done_at    TIMESTAMP,
    done_by    TEXT REFERENCES users (id),
    CHECK ((report_id IS NULL AND call_id IS NOT NULL) OR (report_id IS NOT NULL AND call_id IS NULL))
);
CREATE INDEX handovers_open ON handovers (org_id, done_at);
CREATE INDEX handovers_report ON handovers (report_id);
CREATE INDEX handovers_call ON handovers (call_id);
