//! Installing and changing a tenant's plugins, whoever asks: the tenant API (after its
//! capability checks) and the `platform plugin` command. Each operation is one transaction in
//! the tenant's schema with its audit record; the plugin service forgets the tenant's plugins after.

use super::installs::{self, Change, InstalledPlugin, Source};
use super::schema;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::{ApiError, ApiResult, FieldError};
use crate::plugins::codes::PluginCode;
use plugins::{Capability, Compiled};
use serde_json::{Value, json};
use std::sync::Arc;
use tenants::TenantTx;

/// Who does it, for the audit trail and `installed_by`.
pub struct By<'a> {
    pub actor: Actor,
    pub user: Option<tenants::UserId>,
    pub client: &'a ClientContext,
}

pub struct Install {
    pub compiled: Arc<Compiled>,
    pub source: Source,
    pub grant: Vec<String>,
    pub enable: bool,
    pub config: Option<Value>,
}

pub fn not_installed() -> ApiError {
    ApiError::of(PluginCode::PluginNotFound, "no plugin of that name is installed")
}

/// Grants must be capabilities the plugin asked for; returns them sorted, once each.
pub fn check_grants(requested: &[String], grants: &[String]) -> ApiResult<Vec<String>> {
    let mut problems = Vec::new();
    for (i, grant) in grants.iter().enumerate() {
        let message = if Capability::parse(grant).is_none() {
            format!("{grant:?} is not a capability (kv, crypto, clock)")
        } else if !requested.contains(grant) {
            format!("the plugin does not ask for {grant:?}")
        } else {
            continue;
        };
        problems.push(FieldError {
            field: format!("grant/{i}"),
            message,
        });
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let mut grants = grants.to_vec();
    grants.sort();
    grants.dedup();
    Ok(grants)
}

async fn audit(tx: &mut TenantTx, by: &By<'_>, action: &str, name: &str, details: Value) -> ApiResult<()> {
    let event = AuditEvent::new(action, Outcome::Success, by.actor)
        .resource("plugin", name)
        .details(details);
    audit::append(tx, &event, by.client).await?;
    Ok(())
}

pub async fn install(tx: &mut TenantTx, by: &By<'_>, request: Install) -> ApiResult<InstalledPlugin> {
    let compiled = &request.compiled;
    let requested: Vec<String> = compiled.info.capabilities.iter().map(|c| c.name().to_owned()).collect();
    let grant = check_grants(&requested, &request.grant)?;
    let config = request.config.unwrap_or_else(|| json!({}));
    // An empty configuration is checked when the plugin is enabled, not before.
    if request.enable || config != json!({}) {
        schema::check(&compiled.info.config_schema, &config).map_err(ApiError::invalid)?;
    }
    if !installs::insert(tx, compiled, request.source, &grant, request.enable, &config, by.user).await? {
        return Err(ApiError::of(
            PluginCode::PluginInstalled,
            "a plugin of that name is installed: uninstall it first",
        ));
    }
    let details = json!({"version": compiled.info.version.to_string(), "digest": compiled.digest.to_hex(),
                         "source": request.source.as_str(), "granted": grant, "enabled": request.enable});
    audit(tx, by, "plugin.install", &compiled.info.name, details).await?;
    installs::get(tx, &compiled.info.name).await?.ok_or_else(not_installed)
}

pub async fn uninstall(tx: &mut TenantTx, by: &By<'_>, name: &str) -> ApiResult<()> {
    if !installs::delete(tx, name).await? {
        return Err(not_installed());
    }
    audit(tx, by, "plugin.uninstall", name, json!({})).await
}

/// A change to an install, decided from its current state under its row lock.
pub enum Action {
    Enable,
    Disable,
    Configure(Value),
    Grant(Vec<String>),
}

pub async fn change(tx: &mut TenantTx, by: &By<'_>, name: &str, action: Action) -> ApiResult<InstalledPlugin> {
    let current = installs::lock(tx, name).await?.ok_or_else(not_installed)?;
    let (change, verb, details) = match action {
        Action::Enable => {
            schema::check(&current.config_schema, &current.config).map_err(ApiError::invalid)?;
            (Change::Enabled(true), "plugin.enable", json!({}))
        }
        Action::Disable => (Change::Enabled(false), "plugin.disable", json!({})),
        Action::Configure(config) => {
            schema::check(&current.config_schema, &config).map_err(ApiError::invalid)?;
            (Change::Config(config), "plugin.configure", json!({}))
        }
        Action::Grant(grants) => {
            let grants = check_grants(&current.requested, &grants)?;
            let details = json!({"granted": grants});
            (Change::Granted(grants), "plugin.grant", details)
        }
    };
    installs::update(tx, name, change).await?;
    audit(tx, by, verb, name, details).await?;
    installs::get(tx, name).await?.ok_or_else(not_installed)
}
