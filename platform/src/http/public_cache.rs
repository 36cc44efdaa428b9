//! What anonymous readers get (published content in the `view` context) is the same for all
//! of them until the tenant's content changes, so each instance keeps those responses in
//! memory. The database announces every change at commit (`platform.notify_content_changed`
//! on the tables a response reads), the invalidation listener bumps the tenant's generation,
//! and entries of an older generation are never served again. Lost notifications (a dropped
//! listener) bump every tenant; a time-to-live bounds anything else.

use axum::body::Bytes;
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tenants::TenantId;

/// How long an entry lives at most: the bound on staleness should a notification be lost
/// without the listener noticing.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(60);

/// A response as the handler made it.
pub struct Cached {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Which response: the tenant, its content generation when the read began, and the request's
/// path and query.
#[derive(Clone, Hash, PartialEq, Eq)]
pub struct Key {
    tenant: TenantId,
    epoch: u64,
    generation: u64,
    target: String,
}

pub struct PublicCache {
    entries: Option<moka::sync::Cache<Key, Arc<Cached>>>,
    generations: RwLock<HashMap<TenantId, u64>>,
    /// Bumped when every tenant may have changed.
    epoch: AtomicU64,
}

impl PublicCache {
    /// A cache of at most `max_bytes` of bodies, each kept at most `ttl`; 0 bytes disables it.
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let entries = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &Key, value: &Arc<Cached>| {
                    u32::try_from(key.target.len() + value.body.len()).unwrap_or(u32::MAX)
                })
                .time_to_live(ttl)
                .build()
        });
        Self {
            entries,
            generations: RwLock::default(),
            epoch: AtomicU64::new(0),
        }
    }

    /// The key of a response read from now on. Take it before the read: a change committed
    /// during the read bumps the generation, so what the read saw is never served after it.
    pub fn key(&self, tenant: TenantId, target: &str) -> Key {
        let generation = self
            .generations
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tenant)
            .copied()
            .unwrap_or(0);
        Key {
            tenant,
            epoch: self.epoch.load(Ordering::Acquire),
            generation,
            target: target.to_owned(),
        }
    }

    pub fn get(&self, key: &Key) -> Option<Arc<Cached>> {
        let hit = self.entries.as_ref()?.get(key);
        metrics::counter!("public_cache_lookups_total", "result" => if hit.is_some() { "hit" } else { "miss" })
            .increment(1);
        hit
    }

    pub fn insert(&self, key: Key, cached: Cached) {
        if let Some(entries) = &self.entries {
            entries.insert(key, Arc::new(cached));
        }
    }

    /// A tenant's content changed (`Some`), or any tenant's may have (`None`).
    pub fn changed(&self, tenant: Option<TenantId>) {
        match tenant {
            Some(tenant) => {
                *self
                    .generations
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(tenant)
                    .or_default() += 1;
            }
            None => {
                self.epoch.fetch_add(1, Ordering::AcqRel);
                if let Some(entries) = &self.entries {
                    entries.invalidate_all();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(body: &'static str) -> Cached {
        Cached {
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn a_change_retires_what_was_read_before_it() {
        let cache = PublicCache::new(1 << 20, Duration::from_secs(60));
        let (acme, beta) = (TenantId::new(), TenantId::new());
        let key = cache.key(acme, "/api/v1/posts");
        cache.insert(key.clone(), cached("[1]"));
        let other = cache.key(beta, "/api/v1/posts");
        cache.insert(other.clone(), cached("[2]"));
        assert!(cache.get(&cache.key(acme, "/api/v1/posts")).is_some());

        // A read that began before a change stores under the old generation: never served.
        let during = cache.key(acme, "/api/v1/pages");
        cache.changed(Some(acme));
        cache.insert(during, cached("stale"));
        assert!(cache.get(&cache.key(acme, "/api/v1/posts")).is_none());
        assert!(cache.get(&cache.key(acme, "/api/v1/pages")).is_none());
        assert!(
            cache.get(&cache.key(beta, "/api/v1/posts")).is_some(),
            "other tenants keep theirs"
        );

        cache.changed(None);
        assert!(
            cache.get(&cache.key(beta, "/api/v1/posts")).is_none(),
            "lost notifications retire all"
        );
    }

    #[test]
    fn a_size_of_zero_disables_it() {
        let cache = PublicCache::new(0, Duration::from_secs(60));
        let key = cache.key(TenantId::new(), "/api/v1/posts");
        cache.insert(key.clone(), cached("[]"));
        assert!(cache.get(&key).is_none());
    }
}
