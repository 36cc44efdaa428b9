//! Each tenant's CORS allow-list, as its settings hold it, kept for a little while.

use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tenants::{Tenant, TenantId};

/// How long an instance trusts its copy of a tenant's allow-list. The instance that saves new
/// settings drops its copy at once; other instances follow within this time.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// A tenant's allowed origins and when they were read.
type Entry = (Arc<Vec<String>>, Instant);

#[derive(Default)]
pub struct CorsCache {
    entries: RwLock<HashMap<TenantId, Entry>>,
}

impl CorsCache {
    pub fn invalidate(&self, tenant: TenantId) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).remove(&tenant);
    }

    pub async fn allowed(&self, pool: &PgPool, tenant: &Tenant) -> Result<Arc<Vec<String>>, sqlx::Error> {
        if let Some((origins, at)) = self.entries.read().unwrap_or_else(|e| e.into_inner()).get(&tenant.id)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(origins.clone());
        }
        let mut tx = tenant.scope().begin(pool).await?;
        let origins: Option<Vec<String>> = sqlx::query_scalar(
            "SELECT ARRAY(SELECT jsonb_array_elements_text(coalesce(document->'cors_allowed_origins', '[]'))) FROM settings",
        )
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        let origins = Arc::new(origins.unwrap_or_default());
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant.id, (origins.clone(), Instant::now()));
        Ok(origins)
    }
}
