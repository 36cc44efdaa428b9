-- A third purpose of signing key: the checkpoints of tenants' audit chains.
ALTER TABLE platform.signing_keys DROP CONSTRAINT signing_keys_purpose_check;
ALTER TABLE platform.signing_keys ADD CONSTRAINT signing_keys_purpose_check CHECK (purpose IN ('ops', 'tenant', 'audit'));
