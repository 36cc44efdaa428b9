//! The tenant's settings document, as stored: read it, and replace it as an administrator
//! (optimistically, against the version last read).

use super::model::Settings;
use crate::access::Principal;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::etag::stale;
use crate::http::{ApiError, ApiResult};
use tenants::TenantTx;

/// Settings are WordPress's options: they need `manage_options` (administrators). Checked
/// against the database on every request, so a demoted or disabled administrator loses access
/// at once rather than when the token expires.
const MANAGE_OPTIONS: &str = "manage_options";

/// The settings and their version (403 without `manage_options`).
pub async fn read(tx: &mut TenantTx, me: &Principal) -> ApiResult<(Settings, i64)> {
    me.require(MANAGE_OPTIONS)?;
    let (document, version): (serde_json::Value, i64) = sqlx::query_as("SELECT document, version FROM settings")
        .fetch_one(&mut **tx)
        .await?;
    let settings: Settings = serde_json::from_value(document).map_err(ApiError::internal)?;
    Ok((settings, version))
}

/// Replaces the settings (already validated) if they are still at `expected` (any version
/// when `None`; 412 otherwise), with its audit record; answers the new version. 403 without
/// `manage_options`.
pub async fn replace(
    tx: &mut TenantTx,
    me: &Principal,
    client: &ClientContext,
    settings: &Settings,
    expected: Option<i64>,
) -> ApiResult<i64> {
    me.require(MANAGE_OPTIONS)?;
    if me.roles.iter().any(|role| settings.mfa_required_roles.contains(role)) {
        // Requiring MFA of your own role without having it would confine you to enrolling,
        // which (the policy then requiring it) needs a token another administrator issues.
        let enrolled: bool = sqlx::query_scalar("SELECT mfa_enabled_at IS NOT NULL FROM users WHERE id = $1")
            .bind(me.user_id)
            .fetch_one(&mut **tx)
            .await?;
        if !enrolled {
            return Err(ApiError::invalid_field(
                "mfa_required_roles",
                "it names a role of yours and you have no MFA: enrol first, or it would lock you out",
            ));
        }
    }
    let document = serde_json::to_value(settings).map_err(ApiError::internal)?;
    let version: Option<i64> = sqlx::query_scalar(
        "UPDATE settings SET document = $1, version = version + 1, updated_at = now(), updated_by = $2 \
         WHERE $3::bigint IS NULL OR version = $3 RETURNING version",
    )
    .bind(document)
    .bind(me.user_id)
    .bind(expected)
    .fetch_optional(&mut **tx)
    .await?;
    let version = version.ok_or_else(|| stale("settings"))?;
    let event = AuditEvent::new("settings.update", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("settings", version);
    audit::append(tx, &event, client).await?;
    Ok(version)
}
