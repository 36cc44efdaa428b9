use super::problem::ApiError;
use crate::http::codes::RequestCode;

/// Unknown paths.
pub async fn not_found() -> ApiError {
    super::site::not_found()
}

/// Known paths, wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::of(RequestCode::MethodNotAllowed, "this path does not accept this method")
}
