-- A tenant's people. Roles follow WordPress: a user holds a list of role names.
CREATE TABLE users (
    id                     uuid PRIMARY KEY,
    email                  text NOT NULL,
    display_name           text NOT NULL,
    -- Argon2id PHC string; NULL while the account waits for its one-time setup token.
    password_hash          text,
    setup_token_hash       bytea,
    setup_token_expires_at timestamptz,
    roles                  text[] NOT NULL DEFAULT '{subscriber}',
    status                 text NOT NULL DEFAULT 'active'
                           CHECK (status IN ('active', 'invited', 'disabled')),
    -- Encrypted with the tenant's data key (field `users.mfa_secret`).
    mfa_secret             bytea,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    last_login_at          timestamptz,
    CONSTRAINT users_can_sign_in_somehow CHECK (password_hash IS NOT NULL OR setup_token_hash IS NOT NULL OR status <> 'active')
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
