-- Plugin installs announce themselves on their own kind of invalidation, `plugins:{tenant}`.
-- They used to share `content:`, so every post saved made each instance reload the tenant's
-- enabled plugins. An install change still clears cached content responses too (the fields
-- plugins add show in them): the listener does both on `plugins:`.
CREATE FUNCTION platform.notify_plugins_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner_id uuid;
BEGIN
    SELECT id INTO owner_id FROM platform.tenants WHERE schema_name = TG_TABLE_SCHEMA;
    IF owner_id IS NOT NULL THEN
        PERFORM pg_notify('platform_invalidate', 'plugins:' || owner_id::text);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION platform.notify_plugins_changed() FROM PUBLIC;
