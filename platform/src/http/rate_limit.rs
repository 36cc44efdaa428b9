//! Request rate limits per client IP, per tenant and per signed-in user, charged in one
//! round trip to Redis. When Redis does not answer, this instance's own limiter takes over.

use super::site::Site;
use crate::auth::extract::{VerifiedBearer, bearer_of};
use crate::http::ApiError;
use crate::http::client::client_ip_of;
use crate::http::codes::RequestCode;
use crate::limits::{Refusal, WhenUnreachable};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn middleware(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let limits = state.limiter.limits;
    let mut keys = Vec::with_capacity(3);
    if let Some(ip) = client_ip_of(request.headers(), request.extensions(), state.trusted_proxy_hops) {
        keys.push((format!("rl:ip:{}", crate::limits::client_bucket(ip)), limits.per_ip));
    }
    if let Some(Site::Tenant(tenant)) = request.extensions().get::<Site>().cloned() {
        keys.push((format!("rl:tenant:{}", tenant.id), limits.per_tenant));
        if let Ok(token) = bearer_of(request.headers()) {
            let verified = state.tokens.verify_tenant_access_fresh(token, tenant.id).await;
            if let Ok(subject) = verified {
                keys.push((format!("rl:user:{}:{}", tenant.id, subject.user_id), limits.per_user));
            }
            request.extensions_mut().insert(VerifiedBearer(verified));
        }
    }
    if let Err(refusal) = state.limiter.check(&keys, 1, WhenUnreachable::UseLocal).await {
        return refusal.into_response();
    }
    next.run(request).await
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Limited(v) => {
                ApiError::of(RequestCode::RateLimited, "too many requests; retry later").retry_after(v.retry_after)
            }
            Refusal::Unavailable => ApiError::of(
                RequestCode::RateLimiterUnavailable,
                "sign-in is paused while its rate limiter is unreachable; retry shortly",
            )
            .retry_after(std::time::Duration::from_secs(5)),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}
