-- Accounts their owners alone control (issue 11): an account created on a
-- page has no password until its owner opens a one-time activation link.
-- Only the SHA-256 of the link's random token is stored. created_by and
-- created_by_org name the user who created the account and their
-- organisation ('' for the operator's command line), so an account created
-- from elsewhere is shown to the organisation it was created in.
CREATE TABLE user_activations (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX user_activations_user ON user_activations (user_id);
ALTER TABLE users ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN created_by_org TEXT NOT NULL DEFAULT '';
