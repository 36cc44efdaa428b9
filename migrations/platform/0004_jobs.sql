-- Background jobs: one queue for the whole platform, claimed with FOR UPDATE SKIP LOCKED by
-- every instance's worker. A job that belongs to a tenant carries its id; its handler works
-- only inside that tenant's scope.
CREATE TABLE platform.jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    tenant_id    uuid REFERENCES platform.tenants (id) ON DELETE CASCADE,
    payload      jsonb NOT NULL DEFAULT '{}',
    run_at       timestamptz NOT NULL DEFAULT now(),
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    -- A claimed job is invisible to other workers until then; a worker that died lets go.
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due_idx ON platform.jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_tenant_idx ON platform.jobs (tenant_id);

-- Tenant code enqueues in the same transaction as the change that needs the job, though its
-- role has no rights on this schema: it inserts into its own `job_requests` table, and this
-- trigger (running as the owner) moves the row here, naming the tenant by the schema the
-- row was written to. So a tenant can only ever enqueue jobs for itself.
CREATE FUNCTION platform.enqueue_tenant_job() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner_id uuid;
BEGIN
    SELECT id INTO owner_id FROM platform.tenants WHERE schema_name = TG_TABLE_SCHEMA;
    IF owner_id IS NULL THEN
        RAISE EXCEPTION 'no tenant owns schema %', TG_TABLE_SCHEMA;
    END IF;
    INSERT INTO platform.jobs (kind, tenant_id, payload, run_at)
        VALUES (NEW.kind, owner_id, NEW.payload, NEW.run_at);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION platform.enqueue_tenant_job() FROM PUBLIC;
CREATE UNIQUE INDEX tenants_schema_name_key ON platform.tenants (schema_name);
