//! The role that serves requests. Two database roles run the platform:
//!
//! - the **owner** (`DATABASE_URL`) owns the control plane and every tenant schema; it runs
//!   migrations, provisions and deletes tenants, rotates keys and changes the catalogue;
//! - the **serving role** (`PLATFORM_APP_DATABASE_URL`) answers requests. It is a login role
//!   that is neither the owner nor a superuser, is `NOINHERIT` (so it holds nothing of the
//!   tenant roles it belongs to until a transaction `SET LOCAL ROLE`s one), and reads the
//!   control plane with a few narrow writes. A `RESET ROLE` injected into a tenant
//!   transaction so reaches no tenant table and no owner right.
//!
//! What it cannot prevent: the serving role is a member of every tenant role (it has to
//! `SET ROLE` to each), so a statement injected into a transaction could `SET ROLE` to
//! another tenant's. Defence against that is in the layers above (typed queries, no SQL
//! built from input) and in PostgreSQL 16's `GRANT .. WITH SET` per connection pool, which
//! this deployment's PostgreSQL 15 lacks.

use crate::Error;
use sqlx::PgPool;

/// What serving needs of the control plane, and nothing more. A migration that adds a
/// control-plane table the serving role must read adds it here.
const CONTROL_PLANE_GRANTS: &[&str] = &[
    "GRANT USAGE ON SCHEMA platform TO {role}",
    "GRANT SELECT ON platform.tenants, platform.domains, platform.tenant_keys, platform.operators, \
     platform.signing_keys, platform.jobs, platform.plugin_artifacts, platform.plugin_catalogue, \
     platform.schema_migrations TO {role}",
    // Operator sign-in stamps the time; the job worker claims, retries and finishes jobs (a
    // job's tenant, kind and payload stay as the tenant's own trigger wrote them).
    "GRANT UPDATE (last_login_at) ON platform.operators TO {role}",
    "GRANT UPDATE (run_at, status, attempts, locked_until, last_error), DELETE ON platform.jobs TO {role}",
    // A tenant's plugin upload registers its (content-addressed) artifact.
    "GRANT INSERT ON platform.plugin_artifacts TO {role}",
];

/// Roles whose membership would give the serving role powers it must not have.
const FORBIDDEN_MEMBERSHIPS: &[&str] = &[
    "pg_signal_backend",
    "pg_read_all_data",
    "pg_write_all_data",
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_execute_server_program",
];

/// Makes `name` a serving role, run by the owner (`platform migrate`, and the tests):
/// creates it when missing (`LOGIN NOINHERIT`, with `password`), takes from it any attribute
/// that would reach further, grants it the control plane's [`CONTROL_PLANE_GRANTS`] and
/// membership of every tenant role, and takes `TEMPORARY` on the database from `PUBLIC` (a
/// planted temporary table can shadow nothing then). Idempotent.
pub async fn prepare_serving_role(owner: &PgPool, name: &str, password: Option<&str>) -> Result<(), Error> {
    let mut tx = owner.begin().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    if exists {
        // Never alter the owner (or a role tied to it, or a superuser) into a serving role:
        // that would strip the owner of what provisioning needs.
        let tied: bool = sqlx::query_scalar(
            "SELECT $1 = current_user OR pg_has_role($1, current_user, 'MEMBER') \
               OR (SELECT rolsuper FROM pg_roles WHERE rolname = $1)",
        )
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        if tied {
            return Err(Error::Invalid {
                field: "PLATFORM_APP_DATABASE_URL",
                reason: format!(
                    "{name:?} is the owner, a member of it, or a superuser: the serving role must be a role of its own"
                ),
            });
        }
    }
    // format() quotes on the server: names and passwords never meet SQL text here. An
    // existing role loses what the owner may take; what only a superuser may change
    // (SUPERUSER, BYPASSRLS) `check_serving_role` refuses at `serve`.
    let statement: String = if exists {
        sqlx::query_scalar("SELECT format('ALTER ROLE %I NOINHERIT NOCREATEROLE NOCREATEDB', $1::text)")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?
    } else {
        sqlx::query_scalar(
            "SELECT format('CREATE ROLE %I LOGIN NOINHERIT NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS', $1::text) \
             || CASE WHEN $2::text IS NULL THEN '' ELSE format(' PASSWORD %L', $2::text) END",
        )
        .bind(name)
        .bind(password)
        .fetch_one(&mut *tx)
        .await?
    };
    crate::run_script(&mut tx, &statement).await?;
    let quoted: String = sqlx::query_scalar("SELECT quote_ident($1)")
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    for grant in CONTROL_PLANE_GRANTS {
        crate::run_script(&mut tx, &grant.replace("{role}", &quoted)).await?;
    }
    let memberships: Vec<String> = sqlx::query_scalar(
        "SELECT format('GRANT %I TO %I', t.role_name, $1::text) FROM platform.tenants t \
         JOIN pg_roles r ON r.rolname = t.role_name WHERE NOT pg_has_role($1, t.role_name, 'MEMBER')",
    )
    .bind(name)
    .fetch_all(&mut *tx)
    .await?;
    for grant in &memberships {
        crate::run_script(&mut tx, grant).await?;
    }
    // Only the database's owner may; elsewhere the check at `serve` says so.
    crate::run_script(
        &mut tx,
        "DO $$ BEGIN
             EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
             -- Clusters upgraded from before PostgreSQL 15 still let PUBLIC create in `public`.
             IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
                 REVOKE CREATE ON SCHEMA public FROM PUBLIC;
             END IF;
         EXCEPTION WHEN insufficient_privilege THEN
             RAISE WARNING 'not the database''s owner: TEMPORARY (and CREATE on public) stay granted to PUBLIC';
         END $$",
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        db.role = name,
        tenants.count = memberships.len(),
        "serving role prepared"
    );
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Attributes {
    rolsuper: bool,
    rolinherit: bool,
    rolcreaterole: bool,
    rolbypassrls: bool,
    rolreplication: bool,
    owns_database: bool,
    creates_in: Option<String>,
    member_of_owner: bool,
    forbidden: Option<String>,
    temporary: bool,
}

/// Refuses to serve over a connection whose role reaches further than serving needs: a
/// superuser, the owner of the control plane (or a member of it), a role that inherits what
/// its tenant roles hold, or one that can create roles or bypass row security. A role that
/// may still create temporary tables is only warned about (revoking needs the database's
/// owner).
pub async fn check_serving_role(serving: &PgPool) -> Result<(), Error> {
    let a: Attributes = sqlx::query_as(
        "SELECT r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolbypassrls, r.rolreplication, \
           (SELECT datdba FROM pg_database WHERE datname = current_database()) = r.oid AS owns_database, \
           (SELECT min(nspname) FROM pg_namespace WHERE has_schema_privilege(nspname, 'CREATE') \
              AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema') AS creates_in, \
           pg_has_role(current_user, (SELECT tableowner FROM pg_tables WHERE schemaname = 'platform' \
                                      AND tablename = 'tenants'), 'MEMBER') AS member_of_owner, \
           (SELECT min(f) FROM unnest($1::text[]) f WHERE pg_has_role(current_user, f, 'MEMBER')) AS forbidden, \
           has_database_privilege(current_database(), 'TEMPORARY') AS temporary \
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .bind(FORBIDDEN_MEMBERSHIPS)
    .fetch_one(serving)
    .await?;
    let refuse = |reason: &str| {
        Err(Error::Invalid {
            field: "PLATFORM_APP_DATABASE_URL",
            reason: format!("the serving role {reason}; run `platform migrate` to prepare it, or name another role"),
        })
    };
    if a.rolsuper {
        return refuse("is a superuser");
    }
    if a.member_of_owner {
        return refuse("owns the control plane (or is a member of its owner): it must be a role of its own");
    }
    if a.rolinherit {
        return refuse("inherits its roles' privileges (it must be NOINHERIT)");
    }
    if a.rolcreaterole || a.rolbypassrls || a.rolreplication {
        return refuse("can create roles, bypass row security or replicate");
    }
    if a.owns_database {
        return refuse("owns the database");
    }
    if let Some(schema) = a.creates_in {
        // Objects it could create would be found by the owner's sessions (functions planted
        // in `public`, say).
        return refuse(&format!("may create objects in the schema {schema:?}"));
    }
    if let Some(role) = a.forbidden {
        return refuse(&format!("is a member of {role}"));
    }
    if a.temporary {
        tracing::warn!("the serving role may create temporary tables: REVOKE TEMPORARY ON DATABASE .. FROM PUBLIC");
    }
    Ok(())
}
