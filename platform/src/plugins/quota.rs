//! A tenant's plugin quota, by plan (`PLATFORM_PLUGIN_QUOTAS`): how many plugins it keeps
//! installed, how many bytes of components it uploaded, and how long compiling its uploads
//! may take per hour. Uploads are the one place a tenant makes the platform burn CPU at will.

use crate::config::PluginQuota;
use crate::http::{ApiError, ApiResult};
use crate::limits::{Quota, RateLimiter, Refusal, WhenUnreachable};
use crate::plugins::codes::PluginCode;
use tenants::{Tenant, TenantTx};

fn compile_key(tenant: &Tenant, quota: PluginQuota) -> [(String, Quota); 1] {
    let per_hour = quota.compile_ms_per_hour;
    [(
        format!("rl:plugin-compile:{}", tenant.id),
        Quota::per_hour(per_hour, (per_hour / 2).max(1)),
    )]
}

/// Before compiling an upload: refused (429, `Retry-After`) while the tenant's compile time
/// of the last hour is spent.
pub async fn before_compile(limiter: &RateLimiter, tenant: &Tenant, quota: PluginQuota) -> ApiResult<()> {
    let key = compile_key(tenant, quota);
    match limiter.check(&key, 0, WhenUnreachable::UseLocal).await {
        Ok(()) => Ok(()),
        Err(Refusal::Limited(verdict)) => Err(ApiError::of(
            PluginCode::PluginCompileBudget,
            "this tenant's uploads took all the compile time its plan gives for now; retry later",
        )
        .retry_after(verdict.retry_after)),
        Err(other) => Err(other.into()),
    }
}

/// After compiling: the time it took, charged to the tenant.
pub async fn charge_compile(limiter: &RateLimiter, tenant: &Tenant, quota: PluginQuota, took: std::time::Duration) {
    let key = compile_key(tenant, quota);
    let ms = u32::try_from(took.as_millis()).unwrap_or(u32::MAX).max(1);
    limiter.charge(&key, ms).await;
    metrics::histogram!("plugin_upload_compile_seconds").record(took.as_secs_f64());
}

/// In the install's transaction: one more plugin of `adding_bytes` (uploaded) must fit the
/// tenant's quota. Installs of one tenant are serialised here, so two at once cannot both
/// take the last place.
pub async fn check_installs(tx: &mut TenantTx, quota: PluginQuota, adding_bytes: u64) -> ApiResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.plugin_installs'))")
        .execute(&mut **tx)
        .await?;
    let (count, bytes): (i64, i64) =
        sqlx::query_as("SELECT count(*), coalesce(sum(size_bytes), 0)::bigint FROM plugin_installs")
            .fetch_one(&mut **tx)
            .await?;
    if count.unsigned_abs() >= u64::from(quota.installed) {
        return Err(ApiError::of(
            PluginCode::PluginQuotaExceeded,
            format!(
                "this tenant's plan allows {} installed plugins: uninstall one first",
                quota.installed
            ),
        ));
    }
    if bytes.unsigned_abs().saturating_add(adding_bytes) > quota.installed_bytes {
        return Err(ApiError::of(
            PluginCode::PluginQuotaExceeded,
            format!(
                "this tenant's plan allows {} bytes of uploaded plugins; {} are installed and this one has {adding_bytes}",
                quota.installed_bytes, bytes
            ),
        ));
    }
    Ok(())
}
