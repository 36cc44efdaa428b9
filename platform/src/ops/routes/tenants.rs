use crate::auth::extract::Operator;
use crate::http::codes::RequestCode;
use crate::http::extract::{Json, Path, Query};
use crate::http::pagination::{self, Page, PageParams};
use crate::http::{ApiError, ApiResult, FieldError, Problem};
use crate::ops::views::TenantView;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use tenants::password::Password;
use tenants::{Email, NewTenant, TenantId, TenantSlug, TenantStatus};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    /// 3 to 40 of a-z, 0-9 and '-', starting with a letter, not ending with '-', no '--';
    /// becomes `{slug}.{base domain}`. Reserved names (`www`, `api`, `admin`, ... and `pg-*`)
    /// answer 422.
    #[schema(
        example = "st-mary",
        min_length = 3,
        max_length = 40,
        pattern = "^[a-z](-?[a-z0-9])*$"
    )]
    pub slug: String,
    /// 1 to 200 characters, not only spaces.
    #[schema(example = "St Mary's Hospital", min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(value_type = crate::openapi::EmailAddress)]
    pub admin_email: String,
    /// Omit to receive a one-time `setup_token` instead.
    #[schema(value_type = Option<crate::openapi::NewPassword>)]
    pub admin_password: Option<String>,
    pub admin_name: Option<String>,
    /// 1 to 40 of a-z, 0-9 and '-'.
    #[schema(pattern = "^[a-z0-9-]{1,40}$")]
    pub plan: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTenant {
    #[serde(flatten)]
    pub tenant: TenantView,
    /// Present only when no admin password was given, and only in this response: the first
    /// administrator sets a password with it at `POST /api/v1/auth/setup` on the tenant host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_token: Option<String>,
}

impl CreateTenant {
    /// Every field problem at once, not just the first.
    fn parse(self) -> Result<NewTenant, ApiError> {
        let mut errors = Vec::new();
        let mut field = |name: &str, message: String| {
            errors.push(FieldError {
                field: name.into(),
                message,
            })
        };
        let slug = TenantSlug::parse(&self.slug)
            .map_err(|e| field("slug", e.to_string()))
            .ok();
        let email = Email::parse(&self.admin_email)
            .map_err(|e| field("admin_email", e.to_string()))
            .ok();
        let password = match self.admin_password {
            None => Some(None),
            Some(p) => Password::parse(SecretString::from(p))
                .map(Some)
                .map_err(|e| field("admin_password", e.to_string()))
                .ok(),
        };
        if let Err(e) = tenants::check_name(&self.name) {
            field("name", e.to_string());
        }
        if let Some(Err(e)) = self.plan.as_deref().map(tenants::check_plan) {
            field("plan", e.to_string());
        }
        match (slug, email, password) {
            (Some(slug), Some(admin_email), Some(admin_password)) if errors.is_empty() => Ok(NewTenant {
                slug,
                name: self.name,
                plan: self.plan,
                admin_email,
                admin_name: self.admin_name,
                admin_password,
            }),
            _ => Err(ApiError::invalid(errors)),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFilter {
    /// Only tenants in this status.
    #[param(pattern = "^(provisioning|active|suspended|deleting)$")]
    pub status: Option<String>,
}

/// Create (onboard) a tenant.
///
/// Creates the schema, database role, data key, domain `{slug}.{base domain}` and first
/// administrator in one transaction: all of it, or nothing.
#[utoipa::path(
    post, path = "/api/ops/v1/tenants", tag = "ops",
    security(("ops_token" = [])),
    request_body = CreateTenant,
    responses(
        (status = 201, description = "Created and active", body = CreatedTenant),
        (status = 401, description = "Not an operator", body = Problem),
        (status = 409, description = "Slug taken", body = Problem),
        (status = 422, description = "Invalid or reserved slug, bad e-mail, weak password", body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    _: Operator,
    Json(body): Json<CreateTenant>,
) -> ApiResult<impl IntoResponse> {
    let provisioned = state.tenancy.provision(body.parse()?).await?;
    let domains = state.tenancy.domains(provisioned.tenant.id).await?;
    let location = format!("/api/ops/v1/tenants/{}", provisioned.tenant.id);
    let body = CreatedTenant {
        tenant: TenantView::new(&provisioned.tenant, Some(domains)),
        setup_token: provisioned.setup_token.map(|t| t.expose_secret().to_owned()),
    };
    let location = HeaderValue::from_str(&location).map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, [(LOCATION, location)], axum::Json(body)))
}

/// List tenants, oldest first.
#[utoipa::path(
    get, path = "/api/ops/v1/tenants", tag = "ops",
    security(("ops_token" = [])),
    params(PageParams, ListFilter),
    responses(
        (status = 200, description = "One page; X-Total-Count and Link headers", body = [TenantView]),
        (status = 400, description = "Bad paging or filter", body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _: Operator,
    Query(params): Query<PageParams>,
    Query(filter): Query<ListFilter>,
) -> ApiResult<(HeaderMap, axum::Json<Vec<TenantView>>)> {
    let page = Page::try_from(&params)?;
    let status = match filter.status.as_deref() {
        None => None,
        Some(s) => Some(TenantStatus::parse(s).ok_or_else(|| {
            ApiError::of(
                RequestCode::InvalidQuery,
                "status is provisioning, active, suspended or deleting",
            )
        })?),
    };
    let result = state.tenancy.list(page.page, page.per_page, status).await?;
    let extra = status.map(|s| format!("status={}", s.as_str())).unwrap_or_default();
    let headers = pagination::headers(page, result.total, "/api/ops/v1/tenants", &extra);
    Ok((
        headers,
        axum::Json(result.tenants.iter().map(|t| TenantView::new(t, None)).collect()),
    ))
}

/// Show one tenant with its domains.
#[utoipa::path(
    get, path = "/api/ops/v1/tenants/{id}", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The tenant", body = TenantView),
        (status = 400, description = "Malformed id", body = Problem),
        (status = 404, description = "No such tenant", body = Problem),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<TenantId>,
) -> ApiResult<axum::Json<TenantView>> {
    let tenant = state.tenancy.get(id).await?;
    let domains = state.tenancy.domains(id).await?;
    Ok(axum::Json(TenantView::new(&tenant, Some(domains))))
}

/// Delete a tenant for good.
///
/// Its data keys are destroyed first (crypto-shredding), then its objects (media, audit
/// checkpoints) are deleted, then its schema and role. Cannot be undone. An interrupted
/// deletion is finished by calling this again.
#[utoipa::path(
    delete, path = "/api/ops/v1/tenants/{id}", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such tenant", body = Problem),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    operator: Operator,
    Path(id): Path<TenantId>,
) -> ApiResult<StatusCode> {
    let purge = crate::media::objects::purge(state.objects.clone());
    let result = state.tenancy.delete_with(id, &purge).await?;
    tracing::info!(
        operator.id = %operator.id,
        tenant.id = %id,
        keys_destroyed = result.keys_destroyed,
        objects_deleted = result.objects_deleted,
        "operator deleted a tenant"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Suspend a tenant: all its hosts answer 403 until it is resumed.
#[utoipa::path(
    post, path = "/api/ops/v1/tenants/{id}/suspend", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Suspended", body = TenantView),
        (status = 404, description = "No such tenant", body = Problem),
        (status = 409, description = "Being deleted", body = Problem),
    )
)]
pub async fn suspend(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<TenantId>,
) -> ApiResult<axum::Json<TenantView>> {
    let tenant = state.tenancy.suspend(id).await?;
    Ok(axum::Json(TenantView::new(&tenant, None)))
}

/// Resume a suspended tenant.
#[utoipa::path(
    post, path = "/api/ops/v1/tenants/{id}/resume", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Active again", body = TenantView),
        (status = 404, description = "No such tenant", body = Problem),
        (status = 409, description = "Being deleted", body = Problem),
    )
)]
pub async fn resume(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<TenantId>,
) -> ApiResult<axum::Json<TenantView>> {
    let tenant = state.tenancy.resume(id).await?;
    Ok(axum::Json(TenantView::new(&tenant, None)))
}
