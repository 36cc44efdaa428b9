use super::gcra::{Quota, Verdict, decide, refund};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// An in-process store: for a single instance without Redis, and the fallback when Redis is
/// unreachable. Entries whose TAT has passed are dropped when the map grows large.
pub struct LocalStore {
    started: Instant,
    tats: Mutex<HashMap<String, f64>>,
}

const PRUNE_ABOVE: usize = 100_000;

impl Default for LocalStore {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            tats: Mutex::new(HashMap::new()),
        }
    }
}

impl LocalStore {
    pub fn check(&self, keys: &[(String, Quota)], cost: u32) -> Verdict {
        let now = self.started.elapsed().as_secs_f64() * 1000.0;
        let mut tats = self.tats.lock().unwrap_or_else(|e| e.into_inner());
        if tats.len() > PRUNE_ABOVE {
            tats.retain(|_, tat| *tat > now);
        }
        // All keys must allow before any is charged.
        let mut worst = Verdict {
            allowed: true,
            retry_after: std::time::Duration::ZERO,
        };
        let mut updates = Vec::new();
        for (key, quota) in keys {
            let (verdict, new_tat) = decide(tats.get(key).copied(), now, *quota, cost);
            if !verdict.allowed {
                worst = Verdict {
                    allowed: false,
                    retry_after: worst.retry_after.max(verdict.retry_after),
                };
            }
            updates.push((key.clone(), new_tat));
        }
        if worst.allowed {
            for (key, tat) in updates {
                if let Some(tat) = tat {
                    tats.insert(key, tat);
                }
            }
        }
        worst
    }

    /// Charges `cost` on every key whatever the quota says (for costs known only afterwards).
    pub fn charge(&self, keys: &[(String, Quota)], cost: u32) {
        let now = self.started.elapsed().as_secs_f64() * 1000.0;
        let mut tats = self.tats.lock().unwrap_or_else(|e| e.into_inner());
        for (key, quota) in keys {
            let tat = tats.get(key).copied().unwrap_or(now).max(now);
            tats.insert(key.clone(), tat + quota.emission_ms() * f64::from(cost));
        }
    }

    /// Gives back `cost` on every key.
    pub fn refund(&self, keys: &[(String, Quota)], cost: u32) {
        let now = self.started.elapsed().as_secs_f64() * 1000.0;
        let mut tats = self.tats.lock().unwrap_or_else(|e| e.into_inner());
        for (key, quota) in keys {
            match refund(tats.get(key).copied(), now, *quota, cost) {
                Some(tat) => tats.insert(key.clone(), tat),
                None => tats.remove(key),
            };
        }
    }
}
