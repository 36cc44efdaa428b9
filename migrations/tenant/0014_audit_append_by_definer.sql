-- The tenant role may only append to its audit trail, through `audit_append`, and never
-- touch the chain's bookkeeping. Before, it held DML on `audit_pending` and UPDATE on
-- `audit_head` (the chaining trigger ran with its rights), so a query injected into a tenant
-- transaction could move the head or stage records with any time and any tail.
--
-- `audit_append` runs as the tables' owner with a pinned search_path. It takes the time
-- from the database's clock and computes the record's encoding after its position (the
-- `tail`, exactly as RecordBody::tail does) from the fields themselves, so a stored hash
-- always covers what is stored.

CREATE FUNCTION audit_encode_text(value text) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea
                ELSE pg_catalog.int4send(pg_catalog.octet_length(value))
                     || pg_catalog.convert_to(value, 'UTF8') END
$$;

CREATE FUNCTION audit_append(
    p_id uuid, p_actor_type text, p_actor_id uuid, p_action text, p_outcome text,
    p_resource_type text, p_resource_id text, p_ip text, p_user_agent text, p_request_id text,
    p_details text
) RETURNS timestamptz LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    at timestamptz := pg_catalog.clock_timestamp();
BEGIN
    INSERT INTO audit_pending (id, occurred_at, actor_type, actor_id, action, outcome, resource_type,
                               resource_id, ip, user_agent, request_id, details, tail)
    VALUES (p_id, at, p_actor_type, p_actor_id, p_action, p_outcome, p_resource_type, p_resource_id,
            p_ip, p_user_agent, p_request_id, p_details,
            pg_catalog.uuid_send(p_id)
            || pg_catalog.int8send((EXTRACT(epoch FROM at) * 1000000)::bigint)
            || audit_encode_text(p_actor_type) || audit_encode_text(p_actor_id::text)
            || audit_encode_text(p_action) || audit_encode_text(p_outcome)
            || audit_encode_text(p_resource_type) || audit_encode_text(p_resource_id)
            || audit_encode_text(p_ip) || audit_encode_text(p_user_agent)
            || audit_encode_text(p_request_id) || audit_encode_text(p_details));
    RETURN at;
END
$$;

-- The chaining trigger runs as the owner too: the tenant role keeps no rights it needs.
ALTER FUNCTION audit_chain_pending() SECURITY DEFINER;

DO $$
DECLARE
    role text := current_setting('platform.tenant_role');
    signature text := 'audit_append(uuid, text, uuid, text, text, text, text, text, text, text, text)';
BEGIN
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', signature, current_schema());
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', signature);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', signature, role);
    EXECUTE 'REVOKE ALL ON FUNCTION audit_chain_pending() FROM PUBLIC';
    EXECUTE format('REVOKE ALL ON audit_pending FROM %I', role);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_head FROM %I', role);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM %I', role);
END
$$;
