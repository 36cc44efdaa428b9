use super::problem::ApiError;
use axum::http::StatusCode;

/// Unknown paths.
pub async fn not_found() -> ApiError {
    super::site::not_found()
}

/// Known paths, wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this path does not accept this method",
    )
}
