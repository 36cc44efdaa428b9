use crate::auth::extract::Operator;
use crate::http::codes::TenancyCode;
use crate::http::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, Problem};
use crate::ops::views::DomainView;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tenants::{Hostname, TenantId};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddDomain {
    #[schema(example = "portal.stmary.example")]
    pub host: String,
    /// Make it the tenant's primary domain.
    #[serde(default)]
    pub primary: bool,
}

/// Add a custom domain to a tenant. It routes at once.
#[utoipa::path(
    post, path = "/api/ops/v1/tenants/{id}/domains", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    request_body = AddDomain,
    responses(
        (status = 201, description = "Added", body = DomainView),
        (status = 404, description = "No such tenant", body = Problem),
        (status = 409, description = "Domain in use", body = Problem),
        (status = 422, description = "Not a usable host name", body = Problem),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<TenantId>,
    Json(body): Json<AddDomain>,
) -> ApiResult<(StatusCode, axum::Json<DomainView>)> {
    let host = Hostname::parse(&body.host)?;
    let domain = state.tenancy.add_domain(id, host, body.primary).await?;
    Ok((StatusCode::CREATED, axum::Json(DomainView::from(&domain))))
}

/// Remove a custom domain from a tenant.
#[utoipa::path(
    delete, path = "/api/ops/v1/tenants/{id}/domains/{host}", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid), ("host" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such tenant or domain", body = Problem),
        (status = 409, description = "The platform subdomain cannot be removed", body = Problem),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    _: Operator,
    Path((id, host)): Path<(TenantId, String)>,
) -> ApiResult<StatusCode> {
    let host = Hostname::parse(&host)
        .map_err(|_| ApiError::of(TenancyCode::DomainNotFound, "the tenant has no such domain"))?;
    state.tenancy.remove_domain(id, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}
