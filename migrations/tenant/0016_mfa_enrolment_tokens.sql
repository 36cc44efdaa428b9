-- When the tenant requires MFA for a user's role and the user has none, enrolling needs a
-- one-time token an administrator issued (by resetting the user's MFA): the password alone
-- no longer lets whoever holds it bind their own authenticator. Only the token's SHA-256 is
-- kept.
ALTER TABLE users
    ADD COLUMN mfa_enrolment_token_hash bytea CHECK (length(mfa_enrolment_token_hash) = 32),
    ADD COLUMN mfa_enrolment_token_expires_at timestamptz;
