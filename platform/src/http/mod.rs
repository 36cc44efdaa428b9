pub mod client;
pub mod cors;
pub mod cors_cache;
pub mod deferred_audit;
pub mod etag;
pub mod extract;
pub mod fallback;
pub mod health;
pub mod metrics;
pub mod pagination;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod security_headers;
pub mod site;
pub mod state_parts;
pub mod timeout;

pub use problem::{ApiError, ApiResult, FieldError, Problem};
