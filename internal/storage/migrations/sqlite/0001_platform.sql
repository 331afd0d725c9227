-- Platform: organisations, users, sessions, throttling, jobs, encryption keys, audit log.
-- Times are stored in UTC. Identifying data lives only in encrypted BLOB columns.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
CREATE UNIQUE INDEX organisations_name ON organisations (lower(name));

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organisations (id),
    username            TEXT NOT NULL,
    role                TEXT NOT NULL,
    language            TEXT NOT NULL DEFAULT '',
    profile             BLOB,
    password_hash       TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    totp_secret         BLOB,
    totp_enabled_at     TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    disabled_at         TIMESTAMP
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE INDEX users_org ON users (org_id);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    mfa_at       TIMESTAMP,
    step_up_at   TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_throttle (
    key_hash        BLOB PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until   TIMESTAMP NOT NULL
);

CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    run_at       TIMESTAMP NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    locked_until TIMESTAMP,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs (run_at);

CREATE TABLE data_keys (
    record        TEXT PRIMARY KEY,
    master_key_id TEXT NOT NULL,
    wrapped       BLOB NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX data_keys_master ON data_keys (master_key_id);

CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             TIMESTAMP NOT NULL,
    actor_user_id  TEXT NOT NULL DEFAULT '',
    actor_org_id   TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    subject_type   TEXT NOT NULL DEFAULT '',
    subject_id     TEXT NOT NULL DEFAULT '',
    subject_org_id TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);

CREATE TABLE audit_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BLOB NOT NULL
);

CREATE TABLE audit_checkpoints (
    tree_size  BIGINT PRIMARY KEY,
    root_hash  BLOB NOT NULL,
    signed     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
