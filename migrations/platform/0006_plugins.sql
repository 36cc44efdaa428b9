-- Plugin artifacts: WebAssembly components, content-addressed by SHA-256. The bytes live in
-- object storage under plugins/sha256/{digest}.wasm (code, not tenant data: one artifact may
-- serve many tenants); this table holds what the platform checked about each.
CREATE TABLE platform.plugin_artifacts (
    digest      text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
    name        text NOT NULL,
    version     text NOT NULL,
    size_bytes  integer NOT NULL CHECK (size_bytes > 0),
    -- What `describe` returned, checked: hooks, capabilities, config schema.
    info        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The catalogue operators offer to every tenant: one current artifact per plugin name.
CREATE TABLE platform.plugin_catalogue (
    name        text PRIMARY KEY,
    digest      text NOT NULL REFERENCES platform.plugin_artifacts (digest),
    -- First-party plugins ship inside the platform binary and are registered at start.
    builtin     boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
