-- The master key a rotation made active. Transactions that create a data
-- key lock this table (shared), and a rotation updates it after saving the
-- key file, so the update waits until every data key wrapped by the old key
-- has committed; the rewrap that follows then finds them all.
CREATE TABLE vault_rotation (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    active_key_id TEXT NOT NULL,
    rotated_at    TIMESTAMPTZ
);
INSERT INTO vault_rotation (id, active_key_id) VALUES (1, '');

-- Repeated audit events (throttled sign-in attempts) counted per subject
-- and time window: the first of a window is an audit entry at once, the
-- rest one entry with the count when the window has passed.
CREATE TABLE audit_counts (
    actor_user_id  TEXT NOT NULL,
    actor_org_id   TEXT NOT NULL,
    action         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    subject_type   TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    subject_org_id TEXT NOT NULL,
    detail         TEXT NOT NULL,
    window_start   TIMESTAMPTZ NOT NULL,
    attempts       INTEGER NOT NULL,
    PRIMARY KEY (action, outcome, actor_user_id, subject_type, subject_id, detail, window_start)
);
