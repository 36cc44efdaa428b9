-- Every instance caches public content responses; a change to a tenant's content is announced
-- on the invalidation channel by this trigger function, at commit (NOTIFY is transactional),
-- naming the tenant by the schema that changed. Whatever writes the content (a request, a
-- job, a plugin, an operator in psql) announces it.
CREATE FUNCTION platform.notify_content_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner_id uuid;
BEGIN
    SELECT id INTO owner_id FROM platform.tenants WHERE schema_name = TG_TABLE_SCHEMA;
    IF owner_id IS NOT NULL THEN
        PERFORM pg_notify('platform_invalidate', 'content:' || owner_id::text);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION platform.notify_content_changed() FROM PUBLIC;
