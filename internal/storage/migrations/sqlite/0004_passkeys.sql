-- Passkeys and security keys (WebAuthn) as an optional second factor, and
-- the server-side state of their ceremonies, shared by every process.

CREATE TABLE passkeys (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The relying party (the site's domain) the key was registered for; a
    -- key works only there.
    rp_id              TEXT NOT NULL,
    credential_id      BLOB NOT NULL,
    public_key         BLOB NOT NULL,
    sign_count         BIGINT NOT NULL,
    -- The authenticator data flags byte of the last ceremony (backup
    -- eligibility must not change between uses).
    flags              INTEGER NOT NULL,
    transports         TEXT NOT NULL,
    attestation_format TEXT NOT NULL,
    -- The name the user gave the key, sealed by the vault (record passkeys/<id>).
    name               BLOB,
    created_at         TIMESTAMP NOT NULL,
    last_used_at       TIMESTAMP,
    UNIQUE (rp_id, credential_id)
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- One ceremony in progress per session and kind ('register' or 'login'):
-- the library's session data (challenge, allowed credentials) as JSON.
CREATE TABLE passkey_challenges (
    token_hash BLOB NOT NULL REFERENCES sessions (token_hash) ON DELETE CASCADE,
    ceremony   TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_hash, ceremony)
);
CREATE INDEX passkey_challenges_expiry ON passkey_challenges (expires_at);
