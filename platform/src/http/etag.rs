//! Versions as ETags, and If-Match for optimistic concurrency: two people saving the same
//! version get 412 for the second, never a silent overwrite.

use super::problem::ApiError;
use crate::http::codes::RequestCode;
use axum::http::header::IF_MATCH;
use axum::http::{HeaderMap, HeaderValue};

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// The version named by If-Match, if the header is there; 400 when it is not an ETag of ours.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().trim_start_matches("W/").trim_matches('"').parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| ApiError::of(RequestCode::InvalidIfMatch, "If-Match must be an ETag from a read"))
}

/// If-Match is required: 428 without it.
pub fn require_if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    if_match(headers)?.ok_or_else(|| {
        ApiError::of(
            RequestCode::IfMatchRequired,
            "send If-Match with the ETag of your last read, so that a concurrent change is not overwritten",
        )
    })
}

/// 412: the resource changed since the version the client read.
pub fn stale(what: &str) -> ApiError {
    ApiError::of(
        RequestCode::StaleVersion,
        format!("the {what} changed since you read it; read it again and reapply your change"),
    )
}
