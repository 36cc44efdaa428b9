use super::{Migration, apply_tenant_migrations};
use crate::{Error, TenantId};
use futures_util::StreamExt as _;
use sqlx::PgPool;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct MigrateOptions {
    /// How many tenants migrate at once.
    pub concurrency: usize,
    /// How long one tenant's migration may wait for a lock before it fails (and is retried by
    /// the next run) instead of queueing behind live traffic.
    pub lock_timeout: Duration,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            lock_timeout: Duration::from_secs(5),
        }
    }
}

/// What happened to one tenant, reported as it happens.
#[derive(Clone, Debug)]
pub enum Progress<'a> {
    /// How many tenants need work (the rest are up to date).
    Planned {
        pending: usize,
        up_to_date: usize,
    },
    Migrated {
        slug: &'a str,
        versions: &'a [i32],
    },
    Failed {
        slug: &'a str,
        error: &'a str,
    },
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct TenantFailure {
    pub tenant_id: TenantId,
    pub slug: String,
    pub error: String,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct MigrationSummary {
    pub tenants: usize,
    pub up_to_date: usize,
    pub migrated: usize,
    pub failed: Vec<TenantFailure>,
    pub elapsed_ms: u128,
}

#[derive(sqlx::FromRow)]
struct Pending {
    id: TenantId,
    slug: String,
    schema_name: String,
    role_name: String,
    current: i32,
}

/// Brings every live tenant schema (active or suspended) up to the newest of `migrations`.
/// Each tenant migrates in its own transaction with its tracking rows, so a crash or a failed
/// tenant leaves that tenant exactly where it was, and the next run picks it up. One query
/// finds the tenants with work to do, so a run with nothing to do stays fast at any scale.
pub async fn migrate_tenants(
    pool: &PgPool,
    migrations: &[Migration],
    options: &MigrateOptions,
    report: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<MigrationSummary, Error> {
    let started = Instant::now();
    check_no_edited_migrations(pool, migrations).await?;
    let latest = migrations.last().map_or(0, |m| m.version);
    let all: Vec<Pending> = sqlx::query_as(
        "SELECT t.id, t.slug, t.schema_name, t.role_name, coalesce(m.version, 0) AS current \
         FROM platform.tenants t \
         LEFT JOIN (SELECT tenant_id, max(version) AS version FROM platform.tenant_migrations GROUP BY tenant_id) m \
           ON m.tenant_id = t.id \
         WHERE t.status IN ('active', 'suspended') ORDER BY t.created_at, t.id",
    )
    .fetch_all(pool)
    .await?;
    let tenants = all.len();
    let pending: Vec<Pending> = all.into_iter().filter(|t| t.current < latest).collect();
    let mut summary = MigrationSummary {
        tenants,
        up_to_date: tenants - pending.len(),
        ..Default::default()
    };
    report(Progress::Planned {
        pending: pending.len(),
        up_to_date: summary.up_to_date,
    });

    let mut results = futures_util::stream::iter(pending)
        .map(|tenant| async move {
            let outcome = migrate_one(pool, &tenant, migrations, options.lock_timeout).await;
            (tenant, outcome)
        })
        .buffer_unordered(options.concurrency.max(1));
    while let Some((tenant, outcome)) = results.next().await {
        match outcome {
            Ok(versions) => {
                report(Progress::Migrated {
                    slug: &tenant.slug,
                    versions: &versions,
                });
                summary.migrated += 1;
            }
            Err(error) => {
                report(Progress::Failed {
                    slug: &tenant.slug,
                    error: &error,
                });
                summary.failed.push(TenantFailure {
                    tenant_id: tenant.id,
                    slug: tenant.slug,
                    error,
                });
            }
        }
    }
    summary.elapsed_ms = started.elapsed().as_millis();
    Ok(summary)
}

async fn migrate_one(
    pool: &PgPool,
    tenant: &Pending,
    migrations: &[Migration],
    lock_timeout: Duration,
) -> Result<Vec<i32>, String> {
    let run = async {
        let mut tx = pool.begin().await.map_err(|e| (0, e))?;
        crate::run_script(
            &mut tx,
            &format!("SET LOCAL lock_timeout = {}", lock_timeout.as_millis()),
        )
        .await
        .map_err(|e| (0, e))?;
        // Another run may be migrating this tenant; wait for it, then look again.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('platform.migrate.' || $1::text, 0))")
            .bind(tenant.id)
            .execute(&mut *tx)
            .await
            .map_err(|e| (0, e))?;
        let current: i32 =
            sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM platform.tenant_migrations WHERE tenant_id = $1")
                .bind(tenant.id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| (0, e))?;
        let versions = apply_tenant_migrations(
            &mut tx,
            tenant.id,
            &tenant.schema_name,
            &tenant.role_name,
            current,
            migrations,
        )
        .await?;
        tx.commit().await.map_err(|e| (0, e))?;
        Ok::<_, (i32, sqlx::Error)>(versions)
    };
    run.await.map_err(|(version, error)| {
        let cause = match &error {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("55P03") => {
                "a lock was held longer than the lock timeout; run again when traffic is lower".to_owned()
            }
            other => other.to_string(),
        };
        if version == 0 {
            cause
        } else {
            format!("migration {version}: {cause}")
        }
    })
}

async fn check_no_edited_migrations(pool: &PgPool, migrations: &[Migration]) -> Result<(), Error> {
    let applied: Vec<(i32, String)> =
        sqlx::query_as("SELECT DISTINCT version, checksum FROM platform.tenant_migrations")
            .fetch_all(pool)
            .await?;
    for (version, checksum) in applied {
        if let Some(m) = migrations.iter().find(|m| m.version == version)
            && m.checksum() != checksum
        {
            return Err(Error::Conflict(format!(
                "tenant migration {version} ({}) was edited after it was applied",
                m.name
            )));
        }
    }
    Ok(())
}
