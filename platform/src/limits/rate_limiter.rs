//! The limiter every request passes: GCRA quotas checked in Redis, or in this process when
//! Redis is not configured or (for what may fail open) does not answer.

use super::gcra::{Quota, Verdict};
use super::{local, redis_store};
use std::net::IpAddr;

/// What to do when Redis is configured but does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnreachable {
    /// Refuse: for sign-in and MFA, where an unlimited window would invite brute force.
    FailClosed,
    /// Fall back to this instance's own limiter: for everything else.
    UseLocal,
}

/// The limits this deployment applies.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_ip: Quota,
    pub per_tenant: Quota,
    pub per_user: Quota,
    pub login_per_ip: Quota,
    /// Failed sign-ins (wrong password or MFA code) per account: the cap is 100 an
    /// hour; 10 may come at once, then one every 36 seconds.
    pub account_failures: Quota,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_ip: Quota::per_minute(1200, 200),
            per_tenant: Quota::per_minute(12_000, 2000),
            per_user: Quota::per_minute(600, 100),
            login_per_ip: Quota::per_minute(30, 10),
            account_failures: Quota::per_hour(100, 10),
        }
    }
}

pub enum Refusal {
    Limited(Verdict),
    Unavailable,
}

pub struct RateLimiter {
    redis: Option<redis_store::RedisStore>,
    local: local::LocalStore,
    /// Put before every key, so deployments (or test databases) sharing a Redis stay apart.
    prefix: String,
    pub limits: Limits,
}

impl RateLimiter {
    pub fn new(redis: Option<redis::Client>, prefix: &str, limits: Limits) -> Self {
        Self {
            redis: redis.map(redis_store::RedisStore::new),
            local: Default::default(),
            prefix: prefix.to_owned(),
            limits,
        }
    }

    /// Charges `cost` against every key (0: only looks). Refused unless all allow.
    pub async fn check(&self, keys: &[(String, Quota)], cost: u32, mode: WhenUnreachable) -> Result<(), Refusal> {
        let prefixed: Vec<(String, Quota)> = keys.iter().map(|(k, q)| (format!("{}{k}", self.prefix), *q)).collect();
        let keys = prefixed.as_slice();
        let verdict = match &self.redis {
            None => self.local.check(keys, cost),
            Some(redis) => match redis.check(keys, cost).await {
                Ok(verdict) => verdict,
                Err(error) => {
                    metrics::counter!("rate_limiter_redis_errors_total").increment(1);
                    tracing::warn!(%error, "rate limiter cannot reach Redis");
                    match mode {
                        WhenUnreachable::FailClosed => return Err(Refusal::Unavailable),
                        WhenUnreachable::UseLocal => self.local.check(keys, cost),
                    }
                }
            },
        };
        if verdict.allowed {
            Ok(())
        } else {
            metrics::counter!("rate_limited_total").increment(1);
            Err(Refusal::Limited(verdict))
        }
    }

    /// Charges `cost` on every key whatever the quota says: for costs known only once paid
    /// (the time a compile took), after a [`Self::check`] of cost 0 let the work start. Best
    /// effort when Redis does not answer (the local limiter takes the charge).
    pub async fn charge(&self, keys: &[(String, Quota)], cost: u32) {
        let prefixed: Vec<(String, Quota)> = keys.iter().map(|(k, q)| (format!("{}{k}", self.prefix), *q)).collect();
        match &self.redis {
            None => self.local.charge(&prefixed, cost),
            Some(redis) => {
                if let Err(error) = redis.charge(&prefixed, cost).await {
                    tracing::warn!(%error, "rate limiter cannot reach Redis to charge; charged locally");
                    self.local.charge(&prefixed, cost);
                }
            }
        }
    }

    /// Gives back `cost` charged on every key by [`Self::check`]: for budgets charged before
    /// the outcome is known (a sign-in), refunded when it turns out not to count. Best effort:
    /// when Redis does not answer, the charge stays (the safe side).
    pub async fn refund(&self, keys: &[(String, Quota)], cost: u32) {
        let prefixed: Vec<(String, Quota)> = keys.iter().map(|(k, q)| (format!("{}{k}", self.prefix), *q)).collect();
        match &self.redis {
            None => self.local.refund(&prefixed, cost),
            Some(redis) => {
                if let Err(error) = redis.refund(&prefixed, cost).await {
                    tracing::warn!(%error, "rate limiter cannot reach Redis to refund; the charge stays");
                }
            }
        }
    }
}

/// The bucket of a client address: an IPv4 address as it is, an IPv6 client by its /64
/// (one subscriber's allocation, which rotates through addresses at will). IPv4 mapped into
/// IPv6 counts as IPv4.
pub fn client_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::client_bucket;

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
        let bucket = |s: &str| client_bucket(s.parse().expect("ip"));
        assert_eq!(bucket("2001:db8:1:2:aaaa::1"), bucket("2001:db8:1:2:ffff:1:2:3"));
        assert_ne!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:3::1"));
        assert_eq!(bucket("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(bucket("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(bucket("192.0.2.7"), "192.0.2.7");
    }
}
