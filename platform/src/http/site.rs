//! Which site a request is for, decided by its Host alone: the bare base domain is the
//! operator API, a verified domain of an active tenant is that tenant. No other header can
//! pick or switch the tenant (X-Forwarded-Host and friends are ignored on purpose).

use super::problem::ApiError;
use crate::http::codes::RequestCode;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::HOST;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tenants::{Hostname, Tenant, TenantStatus};

#[derive(Clone)]
pub enum Site {
    Ops,
    Tenant(Arc<Tenant>),
}

/// The host of a request: the URI's authority when the request has one (HTTP/2, absolute
/// form, where RFC 9112 says Host is ignored), the Host header otherwise.
fn host_of(request: &Request) -> Result<Hostname, ApiError> {
    let raw = match request.uri().authority() {
        Some(authority) => authority.as_str().to_owned(),
        None => request
            .headers()
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::of(RequestCode::MissingHost, "the request has no Host header"))?
            .to_owned(),
    };
    Hostname::from_header(&raw)
        .map_err(|_| ApiError::of(RequestCode::InvalidHost, "the Host header is not a valid host name"))
}

/// Resolves the site and puts it into the request's extensions; 404 for unknown hosts, 403
/// for suspended tenants.
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let host = match host_of(&request) {
        Ok(host) => host,
        Err(problem) => return problem.into_response(),
    };
    match site_for(&state, host).await {
        Ok(site) => {
            if let Site::Tenant(tenant) = &site {
                let span = tracing::Span::current();
                span.record("tenant.id", tracing::field::display(tenant.id));
                span.record("tenant.slug", tracing::field::display(&tenant.slug));
            }
            request.extensions_mut().insert(site);
            next.run(request).await
        }
        Err(problem) => problem.into_response(),
    }
}

async fn site_for(state: &AppState, host: Hostname) -> Result<Site, ApiError> {
    if host == *state.tenancy.base_domain() {
        return Ok(Site::Ops);
    }
    let unknown = || ApiError::of(RequestCode::UnknownHost, "no tenant is served at this host");
    let tenant = state.tenancy.resolver().resolve(&host).await?.ok_or_else(unknown)?;
    match tenant.status {
        TenantStatus::Active => Ok(Site::Tenant(tenant)),
        TenantStatus::Suspended => Err(ApiError::of(
            RequestCode::TenantSuspended,
            "this organisation's account is suspended",
        )),
        TenantStatus::Provisioning | TenantStatus::Deleting => Err(unknown()),
    }
}

/// Gate for the operator API's routes: they do not exist on tenant hosts.
pub async fn require_ops(request: Request, next: Next) -> Response {
    match request.extensions().get::<Site>() {
        Some(Site::Ops) => next.run(request).await,
        _ => not_found().into_response(),
    }
}

/// Gate for tenant routes: they do not exist on the operator host.
pub async fn require_tenant(request: Request, next: Next) -> Response {
    match request.extensions().get::<Site>() {
        Some(Site::Tenant(_)) => next.run(request).await,
        _ => not_found().into_response(),
    }
}

pub fn not_found() -> ApiError {
    ApiError::of(RequestCode::NotFound, "there is nothing at this path")
}

/// The tenant of the request's host.
pub struct CurrentTenant(pub Arc<Tenant>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentTenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Site>() {
            Some(Site::Tenant(tenant)) => Ok(Self(tenant.clone())),
            _ => Err(not_found()),
        }
    }
}
