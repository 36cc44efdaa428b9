-- Audit records are chained at commit. An append stages its record here, in the caller's
-- transaction; a deferred trigger then takes the lock on `audit_head`, hashes the record with
-- its position, moves it to `audit_log` and advances the head, all while the transaction
-- commits. The head's lock is so held for the commit only: before, it was held from the
-- append through every later statement of the request and the round trips between them,
-- and a tenant's writers queued on it.
--
-- `tail` is the record's encoding after its position, made by the platform
-- (RecordBody::tail); the hash is SHA-256('platform.audit.v1' || prev_hash || seq || tail),
-- exactly what AuditRecord::compute_hash, and so verification, computes.
CREATE TABLE audit_pending (
    id            uuid PRIMARY KEY,
    occurred_at   timestamptz NOT NULL,
    actor_type    text NOT NULL,
    actor_id      uuid,
    action        text NOT NULL,
    outcome       text NOT NULL,
    resource_type text,
    resource_id   text,
    ip            text,
    user_agent    text,
    request_id    text,
    details       text NOT NULL,
    tail          bytea NOT NULL
);

CREATE FUNCTION audit_chain_pending() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_seq  bigint;
    prev      bytea;
    next_hash bytea;
BEGIN
    SELECT seq + 1, hash INTO next_seq, prev FROM audit_head FOR UPDATE;
    next_hash := sha256('platform.audit.v1'::bytea || prev || int8send(next_seq) || NEW.tail);
    INSERT INTO audit_log (seq, id, occurred_at, actor_type, actor_id, action, outcome, resource_type,
                           resource_id, ip, user_agent, request_id, details, prev_hash, hash)
    VALUES (next_seq, NEW.id, NEW.occurred_at, NEW.actor_type, NEW.actor_id, NEW.action, NEW.outcome,
            NEW.resource_type, NEW.resource_id, NEW.ip, NEW.user_agent, NEW.request_id, NEW.details,
            prev, next_hash);
    UPDATE audit_head SET seq = next_seq, hash = next_hash;
    DELETE FROM audit_pending WHERE id = NEW.id;
    RETURN NULL;
END
$$;
-- Whoever commits, with whatever search_path: the function finds this schema's tables.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION audit_chain_pending() SET search_path = %I, pg_temp', current_schema());
END
$$;

-- Deferred triggers fire at commit in the order their rows were inserted, so records keep
-- the order of their appends.
CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER INSERT ON audit_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain_pending();
