-- Outbox of urgent-report notifications. A row is written in the same
-- transaction as the report, so a notification exists exactly when the
-- report does; a periodic sender claims due rows (claim + claimed_until,
-- a lease), mails on-call staff and marks them sent, so several processes
-- send each one once. No personal data: no addresses (recipients come from
-- the configuration when sending), no text of the report, and last_error
-- holds only the SMTP stage and reply code.
CREATE TABLE notify_outbox (
    id              TEXT PRIMARY KEY,
    report_id       TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    -- The report's urgency code, e.g. 'immediate_danger'.
    urgency         TEXT NOT NULL,
    -- 1 when the report came without a valid proof of work (held).
    held            INTEGER NOT NULL DEFAULT 0,
    -- When the report arrived (to the minute, like the report).
    occurred_at     TIMESTAMPTZ NOT NULL,
    -- 'pending', 'sent' or 'failed' (given up after the last attempt).
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claim           TEXT,
    claimed_until   TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX notify_outbox_due ON notify_outbox (status, next_attempt_at);
CREATE INDEX notify_outbox_report ON notify_outbox (report_id);

-- When a report was dismissed; retention deletes dismissed reports a
-- configurable period after it. (Added here because the triage migration
-- 0008 did not add it.)
ALTER TABLE reports ADD COLUMN dismissed_at TIMESTAMPTZ;
