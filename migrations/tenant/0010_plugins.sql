-- The plugins this tenant installed. The artifact is named by digest (platform.plugin_artifacts);
-- capabilities the plugin asks for work only once granted here.
CREATE TABLE plugin_installs (
    name          text PRIMARY KEY,
    digest        text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
    version       text NOT NULL,
    source        text NOT NULL CHECK (source IN ('catalogue', 'upload')),
    enabled       boolean NOT NULL DEFAULT false,
    -- Validated against the plugin's config schema before it is stored.
    config        jsonb NOT NULL DEFAULT '{}'::jsonb,
    granted       text[] NOT NULL DEFAULT '{}',
    -- What the plugin's `describe` said (hooks, capabilities asked, config schema), kept with
    -- the install so the tenant never reads the control plane.
    info          jsonb NOT NULL,
    installed_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    installed_at  timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Key-value storage of each plugin, private to it (the host binds every call to one plugin).
CREATE TABLE plugin_kv (
    plugin      text NOT NULL REFERENCES plugin_installs (name) ON DELETE CASCADE,
    key         text NOT NULL CHECK (octet_length(key) BETWEEN 1 AND 256),
    value       bytea NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plugin, key)
);

-- Which plugins run, and how, changes responses (fields they add): announce it like content.
CREATE TRIGGER plugin_installs_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plugin_installs
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
