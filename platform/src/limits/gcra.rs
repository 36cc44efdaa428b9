//! The generic cell rate algorithm: each key keeps one number, its theoretical arrival time
//! (TAT). A request is allowed when it would not push the TAT more than `burst` emission
//! intervals into the future.

use std::time::Duration;

/// `count` requests per `period`, of which up to `burst` may come at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    pub count: u32,
    pub period: Duration,
    pub burst: u32,
}

impl Quota {
    pub const fn per_minute(count: u32, burst: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(60),
            burst,
        }
    }

    pub const fn per_hour(count: u32, burst: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(3600),
            burst,
        }
    }

    /// Milliseconds between requests at the sustained rate.
    pub fn emission_ms(&self) -> f64 {
        self.period.as_secs_f64() * 1000.0 / f64::from(self.count.max(1))
    }

    /// How far ahead of now the TAT may run.
    pub fn window_ms(&self) -> f64 {
        self.emission_ms() * f64::from(self.burst.max(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub allowed: bool,
    /// When refused: how long until one more request would be allowed.
    pub retry_after: Duration,
}

/// Decides for a request of `cost` (0: look without using anything up) at `now_ms`. Returns
/// the verdict and, when the TAT moves, the new TAT.
pub fn decide(tat_ms: Option<f64>, now_ms: f64, quota: Quota, cost: u32) -> (Verdict, Option<f64>) {
    let tat = tat_ms.unwrap_or(now_ms).max(now_ms);
    let new_tat = tat + quota.emission_ms() * f64::from(cost.max(1));
    let ahead = new_tat - now_ms;
    if ahead <= quota.window_ms() {
        let verdict = Verdict {
            allowed: true,
            retry_after: Duration::ZERO,
        };
        (verdict, (cost > 0).then_some(new_tat))
    } else {
        let wait = (ahead - quota.window_ms()) / 1000.0;
        (
            Verdict {
                allowed: false,
                retry_after: Duration::from_secs_f64(wait),
            },
            None,
        )
    }
}

/// Gives back `cost` charged earlier: the TAT moves back, never before `now_ms`. `None`
/// when nothing is left to keep.
pub fn refund(tat_ms: Option<f64>, now_ms: f64, quota: Quota, cost: u32) -> Option<f64> {
    let tat = tat_ms? - quota.emission_ms() * f64::from(cost);
    (tat > now_ms).then_some(tat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let quota = Quota::per_minute(60, 5); // one a second, five at once
        let mut tat = None;
        for i in 0..5 {
            let (v, next) = decide(tat, 0.0, quota, 1);
            assert!(v.allowed, "request {i} of the burst");
            tat = next;
        }
        let (refused, unchanged) = decide(tat, 0.0, quota, 1);
        assert!(!refused.allowed && unchanged.is_none());
        assert!((refused.retry_after.as_secs_f64() - 1.0).abs() < 1e-6);
        let (later, _) = decide(tat, 1000.0, quota, 1);
        assert!(later.allowed, "one more after one emission interval");
    }

    #[test]
    fn a_refund_gives_back_exactly_what_was_charged() {
        let quota = Quota::per_minute(60, 2);
        let (_, tat) = decide(None, 0.0, quota, 1);
        let (_, tat) = decide(tat, 0.0, quota, 1);
        assert!(!decide(tat, 0.0, quota, 1).0.allowed, "the burst is used up");
        let tat = refund(tat, 0.0, quota, 1);
        assert!(decide(tat, 0.0, quota, 1).0.allowed, "one back after the refund");
        assert_eq!(refund(Some(500.0), 0.0, quota, 1), None, "never before now");
    }

    #[test]
    fn looking_costs_nothing() {
        let quota = Quota::per_minute(60, 1);
        let (v, tat) = decide(None, 0.0, quota, 0);
        assert!(v.allowed && tat.is_none());
        let (_, tat) = decide(None, 0.0, quota, 1);
        assert!(
            !decide(tat, 0.0, quota, 0).0.allowed,
            "a look after the bucket is used up says no"
        );
    }
}
