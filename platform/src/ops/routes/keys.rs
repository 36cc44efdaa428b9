//! A tenant's data keys, as operators manage them: rotation re-seals everything sealed under
//! an older version (encrypted columns, media objects, plugins' sealed values), and a retired
//! version can be destroyed once nothing is left under it. Each change is recorded in the
//! tenant's own audit trail, with the operator as actor.

use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::extract::Operator;
use crate::http::extract::Path;
use crate::http::{ApiError, ApiResult, Problem};
use crate::ops::codes::OpsCode;
use crate::ops::rewrap::{RotatedKey, record_in, remaining, rewrap_all};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use tenants::{KeyVersion, TenantId};

/// Rotate the tenant's data key.
///
/// A new key version becomes primary; older versions keep decrypting, and everything sealed
/// (encrypted fields, media objects, plugins' sealed values) is re-sealed under the new key
/// before this returns. Recorded in the tenant's audit trail.
#[utoipa::path(
    post, path = "/api/ops/v1/tenants/{id}/keys/rotate", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Rotated", body = RotatedKey),
        (status = 404, description = "No such tenant", body = Problem),
        (status = 409, description = "Being provisioned or deleted", body = Problem),
    )
)]

pub async fn rotate(
    State(state): State<AppState>,
    operator: Operator,
    client: ClientContext,
    Path(id): Path<TenantId>,
) -> ApiResult<axum::Json<RotatedKey>> {
    let tenant = state.tenancy.get(id).await?;
    let mut change = state.tenancy.begin_key_rotation(id).await?;
    record_in(&mut change, &tenant, operator.id, &client, "keys.rotate").await?;
    let version = change.commit().await.map_err(tenants::Error::from)?;
    let answer = RotatedKey {
        // The version this rotation made, even if another rotation came in between.
        version: version.get(),
        ..rewrap_all(&state.tenancy, state.objects.as_ref(), &tenant).await?
    };
    tracing::info!(operator.id = %operator.id, tenant.id = %id, key.version = answer.version, "operator rotated a tenant key");
    Ok(axum::Json(answer))
}

/// Re-seal everything still under an older key version.
///
/// What a rotation does after adding its key, again: to finish one that was interrupted.
/// Idempotent.
#[utoipa::path(
    post, path = "/api/ops/v1/tenants/{id}/keys/rewrap", tag = "ops",
    security(("ops_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Everything is under the primary key", body = RotatedKey),
        (status = 404, description = "No such tenant", body = Problem),
    )
)]
pub async fn rewrap(
    State(state): State<AppState>,
    operator: Operator,
    client: ClientContext,
    Path(id): Path<TenantId>,
) -> ApiResult<axum::Json<RotatedKey>> {
    let tenant = state.tenancy.get(id).await?;
    let answer = rewrap_all(&state.tenancy, state.objects.as_ref(), &tenant).await?;
    let event = AuditEvent::new("keys.rewrap", Outcome::Success, Actor::Operator(*operator.id.as_uuid()))
        .details(serde_json::to_value(&answer).unwrap_or_default());
    audit::record(state.tenancy.owner_pool(), &tenant.scope(), &event, &client).await?;
    tracing::info!(operator.id = %operator.id, tenant.id = %id, "operator rewrapped a tenant's data");
    Ok(axum::Json(answer))
}

/// Destroy one retired version of the tenant's data key.
///
/// For good: whatever is still sealed under it can never be opened again. So it is refused
/// for the primary version (409 `key_is_primary`) and while anything is left under it (409
/// `key_still_used`, with the counts: rewrap first) and within two minutes of the rotation
/// that retired it (409 `key_recently_retired`). Recorded in the tenant's audit trail, in the
/// same transaction.
#[utoipa::path(
    delete, path = "/api/ops/v1/tenants/{id}/keys/{version}", tag = "ops",
    security(("ops_token" = [])),
    params(
        ("id" = String, Path, format = Uuid),
        ("version" = u32, Path, minimum = 1, description = "The key version"),
    ),
    responses(
        (status = 204, description = "Destroyed (or already was)"),
        (status = 404, description = "No such tenant or key version", body = Problem),
        (status = 409, description = "The primary version, or still sealing data", body = Problem),
    )
)]
pub async fn destroy(
    State(state): State<AppState>,
    operator: Operator,
    client: ClientContext,
    Path((id, version)): Path<(TenantId, u32)>,
) -> ApiResult<StatusCode> {
    let version = KeyVersion::new(version)
        .ok_or_else(|| ApiError::of(OpsCode::KeyVersionNotFound, "key versions count from 1"))?;
    let tenant = state.tenancy.get(id).await?;
    let cipher = state.tenancy.owner_field_cipher(id).await?;
    if cipher.primary_version() == version {
        return Err(ApiError::of(
            OpsCode::KeyIsPrimary,
            "this version seals new data: rotate, then destroy it",
        ));
    }
    let left = remaining(&state.tenancy, &tenant, version).await?;
    if left.total() > 0 {
        return Err(ApiError::of(
            OpsCode::KeyStillUsed,
            format!(
                "still sealed under {version}: {} encrypted fields, {} media objects, {} plugin values; \
                 POST .../keys/rewrap first",
                left.columns, left.media, left.plugin_values
            ),
        ));
    }
    let change = state
        .tenancy
        .begin_key_destruction(id, version)
        .await
        .map_err(|error| match error {
            tenants::Error::Keyring(tenants::keyring::KeyringError::UnknownVersion(_)) => {
                ApiError::of(OpsCode::KeyVersionNotFound, "the tenant has no such key version")
            }
            tenants::Error::Keyring(tenants::keyring::KeyringError::IsPrimary(_)) => {
                ApiError::of(OpsCode::KeyIsPrimary, "this version seals new data: rotate, then destroy it")
            }
            tenants::Error::Keyring(tenants::keyring::KeyringError::RecentlyRetired(_)) => ApiError::of(OpsCode::KeyRecentlyRetired,
                format!(
                    "a version may be destroyed {} s after the rotation that retired it: something may still seal under it",
                    tenants::keyring::Keyring::DESTROY_GRACE.as_secs()
                ),
            ),
            other => other.into(),
        })?;
    if let Some(mut change) = change {
        record_in(&mut change, &tenant, operator.id, &client, "keys.destroy").await?;
        change.commit().await.map_err(tenants::Error::from)?;
    }
    tracing::warn!(operator.id = %operator.id, tenant.id = %id, key.version = version.get(), "operator destroyed a tenant key version");
    Ok(StatusCode::NO_CONTENT)
}
