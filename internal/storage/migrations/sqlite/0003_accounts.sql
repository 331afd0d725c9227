-- The last TOTP time step a user passed, so a code cannot be replayed.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
