-- Roles a tenant defines for itself. Built-in roles (WordPress's and the healthcare ones) are
-- defined in code and are not stored here; a custom role cannot take a built-in name.
CREATE TABLE roles (
    name         text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,63}$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    capabilities text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
