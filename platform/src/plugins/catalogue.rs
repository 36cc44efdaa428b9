//! The platform's plugin catalogue: what operators offer every tenant, by name. Operators
//! manage it at `/api/ops/v1/plugins`; tenants read it at `/api/v1/plugin-catalogue` and
//! install from it by name. First-party plugins are registered at start (`builtin`).

use super::PluginService;
use crate::http::{ApiError, ApiResult};
use crate::plugins::codes::PluginCode;
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
    ApiError::of(
        PluginCode::PluginNotInCatalogue,
        "the catalogue has no plugin of that name",
    )
}

pub async fn entries_of(pool: &PgPool) -> ApiResult<Vec<CatalogueEntry>> {
    Ok(sqlx::query_as(&format!("{SELECT} ORDER BY c.name"))
        .fetch_all(pool)
        .await?)
}

pub async fn entries(plugins: &PluginService) -> ApiResult<Vec<CatalogueEntry>> {
    plugins.ensure_builtins().await.map_err(ApiError::internal)?;
    entries_of(plugins.tenancy.pool()).await
}

/// The compiled plugin the catalogue offers under `name` (404 when none).
pub async fn compiled_of(plugins: &PluginService, pool: &PgPool, name: &str) -> ApiResult<Arc<Compiled>> {
    let digest: Option<String> = sqlx::query_scalar("SELECT digest FROM platform.plugin_catalogue WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    let digest = digest.and_then(|d| Digest::parse(&d)).ok_or_else(not_in_catalogue)?;
    plugins.compiled(digest).await.map_err(ApiError::internal)
}

pub async fn compiled(plugins: &PluginService, name: &str) -> ApiResult<Arc<Compiled>> {
    plugins.ensure_builtins().await.map_err(ApiError::internal)?;
    compiled_of(plugins, plugins.tenancy.pool(), name).await
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
        return Err(ApiError::of(
            PluginCode::PluginBuiltin,
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
        Some(true) => Err(ApiError::of(
            PluginCode::PluginBuiltin,
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

/// One entry of the catalogue, by name.
pub async fn entry(pool: &PgPool, name: &str) -> ApiResult<CatalogueEntry> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE c.name = $1"))
        .bind(name)
        .fetch_one(pool)
        .await?)
}
