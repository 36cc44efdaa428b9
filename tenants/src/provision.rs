use crate::error::{constraint, sqlstate};
use crate::invalidation::{Invalidation, notify};
use crate::migrate::{apply_tenant_migrations, tenant_migrations};
use crate::model::{TENANT_COLUMNS, TenantRow};
use crate::naming::quote_ident;
use crate::password::{Password, hash_password};
use crate::{Email, Error, Hostname, KeyVersion, Tenancy, Tenant, TenantId, TenantSlug, UserId};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// What an operator asks for when onboarding a tenant.
#[derive(Debug)]
pub struct NewTenant {
    pub slug: TenantSlug,
    pub name: String,
    pub plan: Option<String>,
    pub admin_email: Email,
    pub admin_name: Option<String>,
    /// `None`: the first administrator gets a one-time setup token instead.
    pub admin_password: Option<Password>,
}

/// A tenant ready to serve requests.
#[derive(Debug)]
pub struct Provisioned {
    pub tenant: Tenant,
    pub domain: Hostname,
    pub admin_id: UserId,
    /// Returned exactly once, only when no password was given. Only its hash is stored.
    pub setup_token: Option<SecretString>,
}

/// The steps of provisioning, in order. A hook sees each before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvisionStep {
    RegisterTenant,
    CreateRoleAndSchema,
    ApplyMigrations,
    CreateDataKey,
    RegisterDomain,
    CreateAdministrator,
    Activate,
}

/// Called before each step; an error aborts provisioning there. Progress reporting, and the
/// crash tests that prove a failure at any step leaves nothing behind.
pub type ProvisionHook<'a> = &'a (dyn Fn(ProvisionStep) -> Result<(), Error> + Sync);

/// How long a setup token stays valid.
pub const SETUP_TOKEN_TTL: Duration = Duration::from_secs(72 * 3600);

/// A tenant's display name: 1 to 200 characters after trimming.
pub fn check_name(name: &str) -> Result<(), Error> {
    let len = name.trim().chars().count();
    if (1..=200).contains(&len) {
        Ok(())
    } else {
        Err(Error::Invalid {
            field: "name",
            reason: "1 to 200 characters".into(),
        })
    }
}

/// A plan name: 1 to 40 of `a-z 0-9 -`.
pub fn check_plan(plan: &str) -> Result<(), Error> {
    let ok = (1..=40).contains(&plan.len())
        && plan
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            field: "plan",
            reason: "1 to 40 of a-z, 0-9 and '-'".into(),
        })
    }
}

impl Tenancy {
    pub async fn provision(&self, request: NewTenant) -> Result<Provisioned, Error> {
        self.provision_with_hook(request, &|_| Ok(())).await
    }

    /// Provisions a tenant in ONE database transaction: control-plane rows, role, schema,
    /// migrations, data key, domain and first administrator commit together or not at all.
    /// PostgreSQL's DDL (including CREATE ROLE) is transactional, so a crash at any step
    /// leaves nothing, and retrying the same request simply succeeds. Two concurrent creations
    /// of one slug meet on the unique slug index: the second waits for the first, then gets
    /// [`Error::SlugTaken`].
    pub async fn provision_with_hook(&self, request: NewTenant, hook: ProvisionHook<'_>) -> Result<Provisioned, Error> {
        check_name(&request.name)?;
        let name = request.name.trim().to_owned();
        let plan = request.plan.unwrap_or_else(|| "standard".to_owned());
        check_plan(&plan)?;
        // Hash before the transaction: it is the slow part, and needs no locks.
        let (password_hash, setup_token) = match &request.admin_password {
            Some(password) => (Some(hash_password(password).await?), None),
            None => (None, Some(new_setup_token())),
        };
        let id = TenantId::new();
        let slug = request.slug;
        let schema = self.naming.schema(&slug);
        let role = self.naming.role(&slug);
        let domain = Hostname::parse(&format!("{slug}.{}", self.base_domain))?;
        let admin_id = UserId::new();
        let started = std::time::Instant::now();

        let mut tx = self.owner_pool.begin().await?;
        crate::run_script(&mut tx, "SET LOCAL lock_timeout = '10s'").await?;

        hook(ProvisionStep::RegisterTenant)?;
        sqlx::query(
            "INSERT INTO platform.tenants (id, slug, name, status, plan, schema_name, role_name) \
             VALUES ($1, $2, $3, 'provisioning', $4, $5, $6)",
        )
        .bind(id)
        .bind(slug.as_str())
        .bind(&name)
        .bind(&plan)
        .bind(&schema)
        .bind(&role)
        .execute(&mut *tx)
        .await
        .map_err(|e| match constraint(&e) {
            Some("tenants_slug_key") => Error::SlugTaken(slug.to_string()),
            _ => e.into(),
        })?;

        hook(ProvisionStep::CreateRoleAndSchema)?;
        let (r, s) = (quote_ident(&role), quote_ident(&schema));
        let mut ddl = format!(
            "CREATE ROLE {r} NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
             CREATE SCHEMA {s};
             REVOKE ALL ON SCHEMA {s} FROM PUBLIC;
             GRANT USAGE ON SCHEMA {s} TO {r};
             ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r};
             ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r};"
        );
        if !self.superuser {
            // Without membership a non-superuser cannot SET ROLE to the tenant role.
            ddl.push_str(&format!("GRANT {r} TO CURRENT_USER;"));
        }
        if let Some(serving) = &self.serving_role {
            // The serving role switches to the tenant role in every transaction. When it does
            // not exist yet, `platform migrate` (which creates it) grants the membership.
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(serving)
                .fetch_one(&mut *tx)
                .await?;
            if exists {
                ddl.push_str(&format!("GRANT {r} TO {};", quote_ident(serving)));
            }
        }
        crate::run_script(&mut tx, &ddl)
            .await
            .map_err(|e| match sqlstate(&e).as_deref() {
                Some("42710") | Some("42P06") | Some("23505") => {
                    Error::Conflict(format!("a database role or schema for {slug:?} already exists"))
                }
                _ => e.into(),
            })?;

        hook(ProvisionStep::ApplyMigrations)?;
        apply_tenant_migrations(&mut tx, id, &schema, &role, 0, tenant_migrations())
            .await
            .map_err(|(version, source)| Error::Migration {
                tenant: id,
                version,
                source,
            })?;
        crate::run_script(&mut tx, "SET LOCAL search_path TO platform").await?;

        hook(ProvisionStep::CreateDataKey)?;
        self.keyring.add_primary_key(&mut tx, id, KeyVersion::FIRST).await?;

        hook(ProvisionStep::RegisterDomain)?;
        sqlx::query("INSERT INTO platform.domains (host, tenant_id, is_primary, verified) VALUES ($1, $2, true, true)")
            .bind(domain.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match constraint(&e) {
                Some("domains_pkey") => Error::DomainTaken(domain.to_string()),
                _ => e.into(),
            })?;

        hook(ProvisionStep::CreateAdministrator)?;
        let token_hash = setup_token
            .as_ref()
            .map(|t| Sha256::digest(secrecy::ExposeSecret::expose_secret(t).as_bytes()).to_vec());
        let insert_admin = format!(
            "INSERT INTO {s}.users (id, email, display_name, password_hash, setup_token_hash, setup_token_expires_at, roles) \
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 IS NULL THEN NULL ELSE now() + make_interval(secs => $6) END, '{{administrator}}')"
        );
        sqlx::query(&insert_admin)
            .bind(admin_id)
            .bind(request.admin_email.as_str())
            .bind(request.admin_name.as_deref().unwrap_or("Administrator"))
            .bind(password_hash)
            .bind(token_hash)
            .bind(SETUP_TOKEN_TTL.as_secs_f64())
            .execute(&mut *tx)
            .await?;

        hook(ProvisionStep::Activate)?;
        let row: TenantRow = sqlx::query_as(&format!(
            "UPDATE platform.tenants SET status = 'active', updated_at = now() WHERE id = $1 RETURNING {TENANT_COLUMNS}"
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        notify(&mut tx, Invalidation::Tenant(id)).await?;
        tx.commit().await?;
        self.resolver.invalidate_tenant(id);
        tracing::info!(tenant.id = %id, tenant.slug = %slug, elapsed_ms = started.elapsed().as_millis() as u64, "tenant provisioned");
        Ok(Provisioned {
            tenant: row.into(),
            domain,
            admin_id,
            setup_token,
        })
    }
}

/// 256 random bits, URL-safe.
pub fn new_setup_token() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(URL_SAFE_NO_PAD.encode(bytes))
}
