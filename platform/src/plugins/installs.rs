//! A tenant's installed plugins, in its schema (`plugin_installs`).

use chrono::{DateTime, Utc};
use plugins::{Compiled, PluginInfo};
use serde::Serialize;
use serde_json::Value;
use tenants::TenantTx;
use utoipa::ToSchema;

/// Where an install came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The platform's catalogue, by name.
    Catalogue,
    /// A component the tenant uploaded.
    Upload,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Catalogue => "catalogue",
            Self::Upload => "upload",
        }
    }
}

/// A hook a plugin runs on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookView {
    pub hook: String,
    /// Lower runs first.
    pub priority: i32,
}

/// An installed plugin.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstalledPlugin {
    pub name: String,
    pub version: String,
    pub description: String,
    /// SHA-256 of the component.
    pub digest: String,
    #[schema(value_type = String, example = "catalogue")]
    pub source: String,
    /// Whether it runs on its hooks.
    pub enabled: bool,
    pub hooks: Vec<HookView>,
    /// Capabilities the plugin asks for (`kv`, `crypto`, `clock`).
    pub requested: Vec<String>,
    /// Capabilities the administrator granted; calls needing the others are denied.
    pub granted: Vec<String>,
    /// The tenant's configuration of the plugin.
    pub config: Value,
    /// The JSON Schema the configuration must satisfy.
    pub config_schema: Value,
    pub installed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    digest: String,
    version: String,
    source: String,
    enabled: bool,
    config: Value,
    granted: Vec<String>,
    info: Value,
    installed_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "name, digest, version, source, enabled, config, granted, info, installed_at, updated_at";

impl Row {
    fn view(self) -> InstalledPlugin {
        let info: Option<PluginInfo> = serde_json::from_value(self.info).ok();
        let (description, hooks, requested, config_schema) = match info {
            Some(info) => (
                info.description,
                info.hooks
                    .into_iter()
                    .map(|h| HookView {
                        hook: h.hook,
                        priority: h.priority,
                    })
                    .collect(),
                info.capabilities.iter().map(|c| c.name().to_owned()).collect(),
                info.config_schema,
            ),
            None => (String::new(), Vec::new(), Vec::new(), Value::Null),
        };
        InstalledPlugin {
            name: self.name,
            version: self.version,
            description,
            digest: self.digest,
            source: self.source,
            enabled: self.enabled,
            hooks,
            requested,
            granted: self.granted,
            config: self.config,
            config_schema,
            installed_at: self.installed_at,
            updated_at: self.updated_at,
        }
    }
}

pub async fn list(tx: &mut TenantTx) -> Result<Vec<InstalledPlugin>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM plugin_installs ORDER BY name"))
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().map(Row::view).collect())
}

pub async fn get(tx: &mut TenantTx, name: &str) -> Result<Option<InstalledPlugin>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM plugin_installs WHERE name = $1"))
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(Row::view))
}

/// Locks the install for a change (enable, configure, grant), so concurrent changes queue.
pub async fn lock(tx: &mut TenantTx, name: &str) -> Result<Option<InstalledPlugin>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM plugin_installs WHERE name = $1 FOR UPDATE"
    ))
    .bind(name)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(Row::view))
}

/// Records an install; false when the name is installed already.
pub async fn insert(
    tx: &mut TenantTx,
    compiled: &Compiled,
    source: Source,
    granted: &[String],
    enabled: bool,
    config: &Value,
    by: Option<tenants::UserId>,
) -> Result<bool, sqlx::Error> {
    let info = serde_json::to_value(&compiled.info).unwrap_or(Value::Null);
    // What counts against the tenant's quota: its own uploads, not the operators' catalogue.
    let size = match source {
        Source::Upload => i64::try_from(compiled.size).unwrap_or(i64::MAX),
        Source::Catalogue => 0,
    };
    let inserted = sqlx::query(
        "INSERT INTO plugin_installs (name, digest, version, source, enabled, config, granted, info, installed_by, \
           size_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (name) DO NOTHING",
    )
    .bind(&compiled.info.name)
    .bind(compiled.digest.to_hex())
    .bind(compiled.info.version.to_string())
    .bind(source.as_str())
    .bind(enabled)
    .bind(config)
    .bind(granted)
    .bind(info)
    .bind(by)
    .bind(size)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// What a plugin's install may change after the fact.
pub enum Change {
    Enabled(bool),
    Config(Value),
    Granted(Vec<String>),
}

pub async fn update(tx: &mut TenantTx, name: &str, change: Change) -> Result<(), sqlx::Error> {
    let query = match change {
        Change::Enabled(enabled) => {
            sqlx::query("UPDATE plugin_installs SET enabled = $2, updated_at = now() WHERE name = $1")
                .bind(name)
                .bind(enabled)
        }
        Change::Config(config) => {
            sqlx::query("UPDATE plugin_installs SET config = $2, updated_at = now() WHERE name = $1")
                .bind(name)
                .bind(config)
        }
        Change::Granted(granted) => {
            sqlx::query("UPDATE plugin_installs SET granted = $2, updated_at = now() WHERE name = $1")
                .bind(name)
                .bind(granted)
        }
    };
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Removes an install and, by cascade, its KV. True when it existed.
pub async fn delete(tx: &mut TenantTx, name: &str) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM plugin_installs WHERE name = $1")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

/// An enabled install, as the plugin service loads it.
#[derive(sqlx::FromRow)]
pub struct EnabledRow {
    pub name: String,
    pub digest: String,
    pub config: Value,
    pub granted: Vec<String>,
}

pub async fn enabled(tx: &mut TenantTx) -> Result<Vec<EnabledRow>, sqlx::Error> {
    sqlx::query_as("SELECT name, digest, config, granted FROM plugin_installs WHERE enabled ORDER BY name")
        .fetch_all(&mut **tx)
        .await
}
