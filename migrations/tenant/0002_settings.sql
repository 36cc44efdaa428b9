-- The tenant's settings: one JSON document, validated by the application, versioned for
-- optimistic concurrency (ETag / If-Match).
CREATE TABLE settings (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    document   jsonb NOT NULL DEFAULT '{}',
    version    bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid
);
INSERT INTO settings DEFAULT VALUES;
