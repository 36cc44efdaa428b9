-- The control plane: which tenants exist, where their requests route, their wrapped keys,
-- the operators who run the platform, and how far each tenant schema is migrated.
-- Rows here are referenced by id only, never joined with tenant schemas (see ARCHITECTURE.md).

CREATE TABLE platform.tenants (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL,
    name        text NOT NULL,
    status      text NOT NULL
                CONSTRAINT tenants_status_check
                CHECK (status IN ('provisioning', 'active', 'suspended', 'deleting')),
    plan        text NOT NULL DEFAULT 'standard',
    -- The PostgreSQL cluster holding the tenant's schema; one cluster for now.
    cluster     text NOT NULL DEFAULT 'default',
    schema_name text NOT NULL,
    role_name   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_slug_key UNIQUE (slug)
);
CREATE INDEX tenants_created_at_idx ON platform.tenants (created_at, id);

CREATE TABLE platform.domains (
    host        text PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    is_primary  boolean NOT NULL DEFAULT false,
    verified    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domains_tenant_idx ON platform.domains (tenant_id);
CREATE UNIQUE INDEX domains_one_primary_per_tenant ON platform.domains (tenant_id) WHERE is_primary;

-- Data keys exist here only wrapped by the key-encryption key. Shredding sets `wrapped` to
-- NULL before anything else of the tenant is removed.
CREATE TABLE platform.tenant_keys (
    tenant_id    uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    version      integer NOT NULL CHECK (version > 0),
    status       text NOT NULL CHECK (status IN ('primary', 'active', 'destroyed')),
    kek_id       text NOT NULL,
    wrapped      bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    PRIMARY KEY (tenant_id, version),
    CONSTRAINT tenant_keys_destroyed_have_no_key CHECK ((status = 'destroyed') = (wrapped IS NULL))
);
CREATE UNIQUE INDEX tenant_keys_one_primary ON platform.tenant_keys (tenant_id) WHERE status = 'primary';

CREATE TABLE platform.operators (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);
CREATE UNIQUE INDEX operators_email_key ON platform.operators (lower(email));

-- One row per migration applied to a tenant schema, written in the same transaction as the
-- migration itself, so a crash leaves either both or neither.
CREATE TABLE platform.tenant_migrations (
    tenant_id  uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    version    integer NOT NULL,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);

-- Token signing keys (Ed25519). The private half is stored wrapped by the key-encryption key.
-- Operator tokens and tenant tokens use keys of different purposes, so neither can ever
-- verify as the other.
CREATE TABLE platform.signing_keys (
    kid             text PRIMARY KEY,
    purpose         text NOT NULL CHECK (purpose IN ('ops', 'tenant')),
    algorithm       text NOT NULL,
    public_key      bytea NOT NULL,
    wrapped_private bytea NOT NULL,
    kek_id          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('active', 'retired')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX signing_keys_one_active_per_purpose ON platform.signing_keys (purpose) WHERE status = 'active';
