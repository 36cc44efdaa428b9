//! The plugin catalogue's routes: tenants see what they may install; operators add and
//! remove plugins.

use super::catalogue::{self, CatalogueEntry};
use crate::auth::extract::Operator;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Path;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;

/// The plugins a tenant may install by name (`install_plugins`).
#[utoipa::path(
    get, path = "/api/v1/plugin-catalogue", tag = "plugins",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "The catalogue, by name", body = [CatalogueEntry]),
        (status = 403, description = "Needs install_plugins", body = Problem),
    )
)]
pub async fn available(State(state): State<AppState>, user: TenantUser) -> ApiResult<axum::Json<Vec<CatalogueEntry>>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    crate::access::Principal::load(&mut tx, user.subject())
        .await?
        .require("install_plugins")?;
    tx.commit().await?;
    Ok(axum::Json(catalogue::entries(&state.plugins).await?))
}

/// The catalogue (operators).
#[utoipa::path(
    get, path = "/api/ops/v1/plugins", tag = "ops",
    security(("ops_token" = [])),
    responses(
        (status = 200, description = "The catalogue, by name", body = [CatalogueEntry]),
        (status = 401, description = "Not an operator", body = Problem),
    )
)]
pub async fn list(State(state): State<AppState>, _: Operator) -> ApiResult<axum::Json<Vec<CatalogueEntry>>> {
    Ok(axum::Json(catalogue::entries(&state.plugins).await?))
}

/// Add a plugin to the catalogue, or replace the one of the same name (operators). The body is
/// the component (`application/wasm`); tenants that installed an older version keep it until
/// they reinstall.
#[utoipa::path(
    post, path = "/api/ops/v1/plugins", tag = "ops",
    security(("ops_token" = [])),
    request_body(content = inline(crate::openapi::Binary), content_type = "application/wasm", description = "A WebAssembly component of the world platform:plugin@0.1.0"),
    responses(
        (status = 201, description = "In the catalogue", body = CatalogueEntry),
        (status = 401, description = "Not an operator", body = Problem),
        (status = 409, description = "A built-in plugin has that name", body = Problem),
        (status = 413, description = "Too large", body = Problem),
        (status = 422, description = "Not a plugin component; the detail says why", body = Problem),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    _: Operator,
    request: Request,
) -> ApiResult<(StatusCode, axum::Json<CatalogueEntry>)> {
    let bytes = super::routes::read_component(&state, request).await?;
    state.plugins.ensure_builtins().await.map_err(ApiError::internal)?;
    let compiled = state.plugins.register_artifact(bytes).await?;
    catalogue::offer_unless_builtin(state.tenancy.owner_pool(), &compiled).await?;
    let entry = catalogue::entry(state.tenancy.pool(), &compiled.info.name).await?;
    tracing::info!(plugin = %entry.name, version = %entry.version, digest = %entry.digest, "plugin added to the catalogue");
    Ok((StatusCode::CREATED, axum::Json(entry)))
}

/// Remove a plugin from the catalogue (operators). Tenants that installed it keep it.
#[utoipa::path(
    delete, path = "/api/ops/v1/plugins/{name}", tag = "ops",
    security(("ops_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not an operator", body = Problem),
        (status = 404, description = "Not in the catalogue", body = Problem),
        (status = 409, description = "Built-in plugins stay", body = Problem),
    )
)]
pub async fn remove(State(state): State<AppState>, _: Operator, Path(name): Path<String>) -> ApiResult<StatusCode> {
    state.plugins.ensure_builtins().await.map_err(ApiError::internal)?;
    catalogue::withdraw(state.tenancy.owner_pool(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
