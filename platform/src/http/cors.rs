//! CORS for tenant hosts, from the tenant's own allow-list (`cors_allowed_origins` in its
//! settings). Origins not on the list get no CORS headers (the browser then refuses the
//! response); their preflights get a 403 problem that says why.

use super::problem::ApiError;
use super::site::Site;
use crate::http::codes::RequestCode;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
    ORIGIN, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS: &str = "authorization, content-type, if-match, x-request-id";
const EXPOSE_HEADERS: &str = "etag, link, retry-after, x-request-id, x-total-count";

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(ORIGIN).cloned() else {
        return next.run(request).await;
    };
    let Some(Site::Tenant(tenant)) = request.extensions().get::<Site>().cloned() else {
        return next.run(request).await;
    };
    let allowed = match state.cors.allowed(state.tenancy.pool(), &tenant).await {
        Ok(list) => origin.to_str().is_ok_and(|o| list.iter().any(|allowed| allowed == o)),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let preflight =
        request.method() == Method::OPTIONS && request.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        if !allowed {
            return ApiError::of(
                RequestCode::OriginNotAllowed,
                "this origin is not in the tenant's CORS allow-list",
            )
            .into_response();
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        let h = response.headers_mut();
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
        h.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        h.insert(VARY, HeaderValue::from_static("origin"));
        return response;
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.append(VARY, HeaderValue::from_static("origin"));
    if allowed {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
        // Tokens travel in the Authorization header, never in cookies.
        h.remove(ACCESS_CONTROL_ALLOW_CREDENTIALS);
    }
    response
}
