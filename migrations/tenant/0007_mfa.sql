-- Multi-factor authentication: TOTP (RFC 6238) and single-use backup codes.
ALTER TABLE users
    -- A secret being enrolled, not yet confirmed with a code (encrypted, field
    -- `users.mfa_pending_secret`).
    ADD COLUMN mfa_pending_secret bytea,
    -- The newest TOTP step accepted: a code is never accepted twice (RFC 6238, 5.2).
    ADD COLUMN totp_last_step bigint;

CREATE TABLE mfa_backup_codes (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
