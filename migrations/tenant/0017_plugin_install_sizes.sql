-- The size of each uploaded component, for the tenant's plugin quota (installed bytes, by
-- plan). Catalogue plugins are the operators' code and count 0. Existing uploads take their
-- size from the artifact registry (the migration runs as the owner, who reads it).
ALTER TABLE plugin_installs ADD COLUMN size_bytes bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0);
UPDATE plugin_installs i SET size_bytes = a.size_bytes
    FROM platform.plugin_artifacts a WHERE a.digest = i.digest AND i.source = 'upload';
