use crate::model::{TENANT_COLUMNS, TenantRow};
use crate::{Hostname, Tenant, TenantId};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Host -> tenant, cached in process. Changes are invalidated explicitly (locally at once,
/// elsewhere through the invalidation channel); the TTL only bounds how long a lost
/// notification could matter.
pub struct TenantResolver {
    pool: PgPool,
    ttl: Duration,
    negative_ttl: Duration,
    cache: RwLock<HashMap<Hostname, Entry>>,
    /// Bumped by every invalidation, under the cache's lock. A lookup caches what it read only
    /// when no invalidation came between its read and its insert: otherwise a tenant
    /// suspended (or a domain removed) while the read was in flight would go on routing from
    /// the cache until the TTL.
    generation: AtomicU64,
}

#[derive(Clone)]
struct Entry {
    tenant: Option<Arc<Tenant>>,
    expires: Instant,
}

/// Unknown hosts are remembered briefly so a flood of random Host headers costs at most this
/// many entries before they are all dropped.
const MAX_NEGATIVE_ENTRIES: usize = 10_000;

impl TenantResolver {
    pub fn new(pool: PgPool, ttl: Duration) -> Self {
        Self {
            pool,
            ttl,
            negative_ttl: ttl.min(Duration::from_secs(5)),
            cache: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// The tenant a verified domain routes to, in whatever status it is.
    pub async fn resolve(&self, host: &Hostname) -> Result<Option<Arc<Tenant>>, sqlx::Error> {
        if let Some(entry) = self.cache.read().unwrap_or_else(|e| e.into_inner()).get(host)
            && entry.expires > Instant::now()
        {
            return Ok(entry.tenant.clone());
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let row: Option<TenantRow> = sqlx::query_as(&format!(
            "SELECT {cols} FROM platform.tenants WHERE id = \
             (SELECT tenant_id FROM platform.domains WHERE host = $1 AND verified)",
            cols = TENANT_COLUMNS
        ))
        .bind(host.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let tenant = row.map(|row| Arc::new(Tenant::from(row)));
        let ttl = if tenant.is_some() { self.ttl } else { self.negative_ttl };
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) != generation {
            // Read before an invalidation: good for this request, which began before it.
            return Ok(tenant);
        }
        if tenant.is_none() && cache.len() >= MAX_NEGATIVE_ENTRIES {
            cache.retain(|_, entry| entry.tenant.is_some());
        }
        cache.insert(
            host.clone(),
            Entry {
                tenant: tenant.clone(),
                expires: Instant::now() + ttl,
            },
        );
        Ok(tenant)
    }

    /// Forgets every host of the tenant, and every unknown host (one may just have become a
    /// domain of it).
    pub fn invalidate_tenant(&self, tenant: TenantId) {
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        cache.retain(|_, entry| entry.tenant.as_ref().is_some_and(|t| t.id != tenant));
    }

    pub fn invalidate_all(&self) {
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        cache.clear();
    }
}
