use super::problem::ApiError;
use crate::http::codes::RequestCode;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use std::time::Duration;

/// How long one request may take before it is abandoned: its transaction rolls back (the
/// future is dropped) and the client gets a 503 instead of waiting on a stuck dependency.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn middleware(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::of(
            RequestCode::RequestTimeout,
            "the request took too long and was abandoned; retry",
        )
        .into_response(),
    }
}
