-- The tenant's audit trail: append-only and hash-chained. Each row's `hash` is
-- SHA-256(prev_hash || canonical encoding of the row); `details` is stored as the exact
-- canonical JSON text that was hashed. `seq` is gapless: appends are serialised on the
-- `audit_head` row, which holds the newest seq and hash.
CREATE TABLE audit_log (
    seq           bigint PRIMARY KEY CHECK (seq > 0),
    id            uuid NOT NULL UNIQUE,
    occurred_at   timestamptz NOT NULL,
    actor_type    text NOT NULL CHECK (actor_type IN ('user', 'operator', 'system', 'anonymous')),
    actor_id      uuid,
    action        text NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    resource_type text,
    resource_id   text,
    ip            text,
    user_agent    text,
    request_id    text,
    details       text NOT NULL,
    prev_hash     bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash          bytea NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at, seq);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action_idx ON audit_log (action, seq);

CREATE TABLE audit_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq       bigint NOT NULL,
    hash      bytea NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

-- Append-only for everyone, the table's owner included, unless someone with owner rights
-- disables the trigger on purpose (which the hash chain then exposes).
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- And in privileges: the tenant role may only read and append.
DO $$
BEGIN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', current_setting('platform.tenant_role'));
    EXECUTE format('REVOKE INSERT, DELETE, TRUNCATE ON audit_head FROM %I', current_setting('platform.tenant_role'));
END
$$;
