//! Rate limits: GCRA in Redis (shared by all instances) or in process.

pub mod gcra;
pub mod local;
pub mod rate_limiter;
pub mod redis_store;

pub use gcra::{Quota, Verdict};
pub use rate_limiter::{Limits, RateLimiter, Refusal, WhenUnreachable, client_bucket};
