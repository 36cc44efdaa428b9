-- Identity details of users: sign-in failure state (brute-force protection), password age,
-- MFA enrolment, and the professional registry of the seed's healthcare schema
-- (CRM 123456/SP: type, number, state), verified by a compliance officer.
ALTER TABLE users
    ADD COLUMN failed_attempts      integer NOT NULL DEFAULT 0,
    ADD COLUMN last_failed_at       timestamptz,
    ADD COLUMN locked_until         timestamptz,
    ADD COLUMN password_changed_at  timestamptz,
    ADD COLUMN mfa_enabled_at       timestamptz,
    ADD COLUMN registry_type        text CHECK (registry_type ~ '^[A-Z]{2,10}$'),
    ADD COLUMN registry_number      text CHECK (registry_number ~ '^[A-Za-z0-9.-]{1,20}$'),
    ADD COLUMN registry_state       text CHECK (registry_state ~ '^[A-Z]{2}$'),
    ADD COLUMN registry_verified    boolean NOT NULL DEFAULT false,
    ADD COLUMN registry_verified_at timestamptz,
    ADD CONSTRAINT users_registry_complete CHECK (
        (registry_type IS NULL) = (registry_number IS NULL) AND (registry_type IS NULL) = (registry_state IS NULL)),
    ADD CONSTRAINT users_registry_verified_has_registry CHECK (NOT registry_verified OR registry_type IS NOT NULL);
CREATE UNIQUE INDEX users_registry_key ON users (registry_type, registry_number, registry_state)
    WHERE registry_type IS NOT NULL;
