//! The platform's plugin catalogue: what operators offer every tenant, by name. Operators
//! manage it at `/api/ops/v1/plugins`; tenants read it at `/api/v1/plugin-catalogue` and
//! install from it by name. First-party plugins are registered at start (`builtin`).

use super::PluginHost;
use crate::auth::extract::Operator;
use crate::auth::extract::TenantUser;
use crate::http::extract::Path;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use plugins::{Compiled, Digest};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgPool;
use std::sync::Arc;
use utoipa::ToSchema;

/// A plugin of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CatalogueEntry {
    pub name: String,
    pub version: String,
    /// SHA-256 of the component.
    pub digest: String,
    /// Shipped with the platform.
    pub builtin: bool,
    pub size_bytes: i32,
    /// What the plugin says about itself: hooks, capabilities asked, config schema.
    pub info: Value,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT c.name, a.version, c.digest, c.builtin, a.size_bytes, a.info, c.updated_at \
                      FROM platform.plugin_catalogue c JOIN platform.plugin_artifacts a USING (digest)";

fn not_in_catalogue() -> ApiError {
    ApiError::not_found("plugin_not_in_catalogue", "the catalogue has no plugin of that name")
}

pub async fn entries_of(pool: &PgPool) -> ApiResult<Vec<CatalogueEntry>> {
    Ok(sqlx::query_as(&format!("{SELECT} ORDER BY c.name"))
        .fetch_all(pool)
        .await?)
}

async fn entries(state: &AppState) -> ApiResult<Vec<CatalogueEntry>> {
    state.plugins.ensure_builtins().await.map_err(ApiError::internal)?;
    entries_of(state.tenancy.pool()).await
}

/// The compiled plugin the catalogue offers under `name` (404 when none).
pub async fn compiled_of(host: &PluginHost, pool: &PgPool, name: &str) -> ApiResult<Arc<Compiled>> {
    let digest: Option<String> = sqlx::query_scalar("SELECT digest FROM platform.plugin_catalogue WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    let digest = digest.and_then(|d| Digest::parse(&d)).ok_or_else(not_in_catalogue)?;
    host.compiled(digest).await.map_err(ApiError::internal)
}

pub async fn compiled(state: &AppState, name: &str) -> ApiResult<Arc<Compiled>> {
    state.plugins.ensure_builtins().await.map_err(ApiError::internal)?;
    compiled_of(&state.plugins, state.tenancy.pool(), name).await
}

async fn builtin(pool: &PgPool, name: &str) -> ApiResult<Option<bool>> {
    Ok(
        sqlx::query_scalar("SELECT builtin FROM platform.plugin_catalogue WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?,
    )
}

/// Offers an operator's plugin; a built-in plugin's name is refused (409).
pub async fn offer_unless_builtin(pool: &PgPool, compiled: &Compiled) -> ApiResult<()> {
    if builtin(pool, &compiled.info.name).await? == Some(true) {
        return Err(ApiError::conflict(
            "plugin_builtin",
            "a built-in plugin has that name; built-in plugins change with the platform",
        ));
    }
    offer(pool, compiled, false).await?;
    Ok(())
}

/// Takes a plugin out of the catalogue; built-in plugins stay (409).
pub async fn withdraw(pool: &PgPool, name: &str) -> ApiResult<()> {
    match builtin(pool, name).await? {
        None => Err(not_in_catalogue()),
        Some(true) => Err(ApiError::conflict(
            "plugin_builtin",
            "built-in plugins stay in the catalogue",
        )),
        Some(false) => {
            sqlx::query("DELETE FROM platform.plugin_catalogue WHERE name = $1")
                .bind(name)
                .execute(pool)
                .await?;
            Ok(())
        }
    }
}

/// Puts a compiled plugin in the catalogue under its own name, replacing what was there.
pub async fn offer(pool: &PgPool, compiled: &Compiled, builtin: bool) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO platform.plugin_catalogue (name, digest, builtin) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET digest = EXCLUDED.digest, builtin = EXCLUDED.builtin, updated_at = now() \
         WHERE platform.plugin_catalogue.digest <> EXCLUDED.digest OR platform.plugin_catalogue.builtin <> EXCLUDED.builtin",
    )
    .bind(&compiled.info.name)
    .bind(compiled.digest.to_hex())
    .bind(builtin)
    .execute(pool)
    .await?;
    Ok(())
}

/// The plugins a tenant may install by name (`install_plugins`).
#[utoipa::path(
    get, path = "/api/v1/plugin-catalogue", tag = "plugins",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "The catalogue, by name", body = [CatalogueEntry]),
        (status = 403, description = "Needs install_plugins", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn available(State(state): State<AppState>, user: TenantUser) -> ApiResult<axum::Json<Vec<CatalogueEntry>>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    crate::access::Principal::load(&mut tx, &user.subject)
        .await?
        .require("install_plugins")?;
    tx.commit().await?;
    Ok(axum::Json(entries(&state).await?))
}

/// The catalogue (operators).
#[utoipa::path(
    get, path = "/api/ops/v1/plugins", tag = "ops",
    security(("ops_token" = [])),
    responses(
        (status = 200, description = "The catalogue, by name", body = [CatalogueEntry]),
        (status = 401, description = "Not an operator", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, _: Operator) -> ApiResult<axum::Json<Vec<CatalogueEntry>>> {
    Ok(axum::Json(entries(&state).await?))
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
        (status = 401, description = "Not an operator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A built-in plugin has that name", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a plugin component; the detail says why", body = Problem, content_type = "application/problem+json"),
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
    offer_unless_builtin(state.tenancy.owner_pool(), &compiled).await?;
    let entry: CatalogueEntry = sqlx::query_as(&format!("{SELECT} WHERE c.name = $1"))
        .bind(&compiled.info.name)
        .fetch_one(state.tenancy.pool())
        .await?;
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
        (status = 401, description = "Not an operator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in the catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Built-in plugins stay", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove(State(state): State<AppState>, _: Operator, Path(name): Path<String>) -> ApiResult<StatusCode> {
    state.plugins.ensure_builtins().await.map_err(ApiError::internal)?;
    withdraw(state.tenancy.owner_pool(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
