//! A tenant's data keys, as operators manage them: rotation re-seals everything sealed under
//! an older version (encrypted columns, media objects, plugins' sealed values), and a retired
//! version can be destroyed once nothing is left under it. Each change is recorded in the
//! tenant's own audit trail, with the operator as actor.

use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::extract::Operator;
use crate::http::extract::Path;
use crate::http::{ApiError, ApiResult, Problem};
use crate::media::objects::{media_field, media_key};
use crate::plugins::sealed::{SealedText, find_all};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use tenants::keyring::{FieldCipher, FieldRef};
use tenants::{KeyVersion, Tenant, TenantId};
use utoipa::ToSchema;

/// A rotation (or rewrap), and what it re-sealed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedKey {
    /// The primary key version.
    pub version: u32,
    /// Encrypted fields looked at, and those re-sealed under the primary key.
    pub scanned: u64,
    pub rewrapped: u64,
    /// Media objects re-sealed.
    pub media_rewrapped: u64,
    /// Rows holding plugins' sealed values that were re-sealed.
    pub plugin_values_rewrapped: u64,
}

/// What is still sealed under one key version.
#[derive(Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct Remaining {
    /// Encrypted columns (MFA secrets).
    pub columns: u64,
    /// Media objects (those sealed before key versions were recorded count until rewrapped).
    pub media: u64,
    /// Plugins' sealed values in post meta, revisions and plugin storage.
    pub plugin_values: u64,
}

impl Remaining {
    fn total(&self) -> u64 {
        self.columns + self.media + self.plugin_values
    }
}

/// Rows of one pass over media objects or sealed values.
const BATCH: i64 = 200;

/// Re-seals every media object not yet under the primary key. Idempotent: an object already
/// under it is only marked so.
async fn rewrap_media(state: &AppState, tenant: &Tenant, cipher: &FieldCipher) -> ApiResult<u64> {
    let primary = cipher.primary_version();
    let mut rewrapped = 0;
    let mut after = uuid::Uuid::nil();
    loop {
        let mut tx = tenant.scope().begin(state.tenancy.owner_pool()).await?;
        let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM media WHERE key_version IS DISTINCT FROM $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(primary.to_db())
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some(last) = ids.last() else { break };
        after = *last;
        for id in ids {
            let media = crate::content::ids::MediaId::from_uuid(id);
            let key = media_key(tenant.id, media);
            let sealed = match state.objects.get(&key).await {
                Ok(object) => Some(object.bytes().await.map_err(ApiError::internal)?),
                // The row's object is gone: nothing is sealed under the old key any more.
                Err(object_store::Error::NotFound { .. }) => {
                    tracing::warn!(tenant.id = %tenant.id, media.id = %id, "a media item has no object");
                    None
                }
                Err(other) => return Err(ApiError::internal(other)),
            };
            let row_id = id.to_string();
            if let Some(sealed) = sealed
                && let Some(resealed) = cipher
                    .rewrap(media_field(&row_id), &sealed)
                    .map_err(ApiError::internal)?
            {
                state
                    .objects
                    .put(&key, Bytes::from(resealed).into())
                    .await
                    .map_err(ApiError::internal)?;
                rewrapped += 1;
            }
            let mut tx = tenant.scope().begin(state.tenancy.owner_pool()).await?;
            let still_there = sqlx::query("UPDATE media SET key_version = $2 WHERE id = $1")
                .bind(id)
                .bind(primary.to_db())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            tx.commit().await?;
            if !still_there {
                // Deleted while it was being re-sealed: the put must not bring it back.
                drop(state.objects.delete(&key).await);
            }
        }
    }
    Ok(rewrapped)
}

/// Where plugins' sealed texts can be. Each place reads rows in its primary key's order
/// (`k1`, `k2` as text) with the value as bytes, and writes a value back only if it is still
/// the one read.
struct SealedPlace {
    select: &'static str,
    update: &'static str,
    /// The first key to read after.
    start: (&'static str, &'static str),
}

const NIL: &str = "00000000-0000-0000-0000-000000000000";

const SEALED_PLACES: &[SealedPlace] = &[
    SealedPlace {
        select: "SELECT post_id::text, key, convert_to(value::text, 'UTF8') FROM post_meta \
                 WHERE (post_id, key) > ($1::uuid, $2) AND value::text LIKE '%ps2.%' \
                 ORDER BY post_id, key LIMIT $3",
        update: "UPDATE post_meta SET value = convert_from($3, 'UTF8')::jsonb \
                 WHERE post_id = $1::uuid AND key = $2 AND value::text = convert_from($4, 'UTF8')",
        start: (NIL, ""),
    },
    SealedPlace {
        select: "SELECT id::text, '', convert_to(meta::text, 'UTF8') FROM post_revisions \
                 WHERE id > $1::uuid AND $2 = $2 AND meta::text LIKE '%ps2.%' ORDER BY id LIMIT $3",
        update: "UPDATE post_revisions SET meta = convert_from($3, 'UTF8')::jsonb \
                 WHERE id = $1::uuid AND $2 = $2 AND meta::text = convert_from($4, 'UTF8')",
        start: (NIL, ""),
    },
    // Plugins keep any bytes in KV: only values that are text are looked into.
    SealedPlace {
        select: "SELECT plugin, key, value FROM plugin_kv \
                 WHERE (plugin, key) > ($1, $2) AND position('ps2.'::bytea IN value) > 0 \
                 ORDER BY plugin, key LIMIT $3",
        update: "UPDATE plugin_kv SET value = $3 WHERE plugin = $1 AND key = $2 AND value = $4",
        start: ("", ""),
    },
];

/// Each sealed text found in the tenant's tables, with the version it is sealed under, and
/// the text it becomes when `reseal` answers one. Returns the rows changed.
async fn for_each_sealed(
    state: &AppState,
    tenant: &Tenant,
    mut reseal: impl FnMut(&SealedText, KeyVersion) -> ApiResult<Option<String>>,
) -> ApiResult<u64> {
    let mut changed = 0;
    for place in SEALED_PLACES {
        let mut after = (place.start.0.to_owned(), place.start.1.to_owned());
        loop {
            let mut tx = tenant.scope().begin(state.tenancy.owner_pool()).await?;
            let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(place.select)
                .bind(&after.0)
                .bind(&after.1)
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await?;
            let Some((k1, k2, _)) = rows.last() else { break };
            after = (k1.clone(), k2.clone());
            for (k1, k2, value) in rows {
                let Ok(text) = std::str::from_utf8(&value) else {
                    continue;
                };
                let mut updated = text.to_owned();
                // Back to front, so earlier ranges stay valid.
                for (range, sealed) in find_all(text).into_iter().rev() {
                    let Ok(version) = FieldCipher::version_of(&sealed.ciphertext) else {
                        continue;
                    };
                    if let Some(replacement) = reseal(&sealed, version)? {
                        updated.replace_range(range, &replacement);
                    }
                }
                if updated != text {
                    let written = sqlx::query(place.update)
                        .bind(&k1)
                        .bind(&k2)
                        .bind(updated.as_bytes())
                        .bind(&value)
                        .execute(&mut *tx)
                        .await?;
                    changed += written.rows_affected();
                }
            }
            tx.commit().await?;
        }
    }
    Ok(changed)
}

/// Re-seals plugins' sealed values not yet under the primary key.
async fn rewrap_plugin_values(state: &AppState, tenant: &Tenant, cipher: &FieldCipher) -> ApiResult<u64> {
    for_each_sealed(state, tenant, |sealed, version| {
        if version == cipher.primary_version() {
            return Ok(None);
        }
        let field = FieldRef::new("plugin", &sealed.plugin, &sealed.context);
        match cipher.rewrap(field, &sealed.ciphertext) {
            Ok(Some(ciphertext)) => Ok(Some(
                SealedText {
                    ciphertext,
                    ..sealed.clone()
                }
                .encode(),
            )),
            Ok(None) => Ok(None),
            // Not one of ours after all (or tampered with): left as it is.
            Err(_) => Ok(None),
        }
    })
    .await
}

/// What is still sealed under `version`.
async fn remaining(state: &AppState, tenant: &Tenant, version: KeyVersion) -> ApiResult<Remaining> {
    let columns = tenants::keyring::remaining_under(state.tenancy.owner_pool(), &tenant.scope(), version).await?;
    let mut tx = tenant.scope().begin(state.tenancy.owner_pool()).await?;
    let media: i64 = sqlx::query_scalar("SELECT count(*) FROM media WHERE key_version IS NULL OR key_version = $1")
        .bind(version.to_db())
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    // Only texts that open count: a made-up `ps2.` text naming this version (anyone who
    // writes meta could plant one) must not keep it from ever being destroyed.
    let cipher = state
        .tenancy
        .keyring()
        .cipher(state.tenancy.owner_pool(), tenant.id)
        .await?;
    let mut plugin_values = 0;
    for_each_sealed(state, tenant, |sealed, sealed_under| {
        let field = FieldRef::new("plugin", &sealed.plugin, &sealed.context);
        if sealed_under == version && cipher.decrypt(field, &sealed.ciphertext).is_ok() {
            plugin_values += 1;
        }
        Ok(None)
    })
    .await?;
    Ok(Remaining {
        columns,
        media: media.unsigned_abs(),
        plugin_values,
    })
}

/// Everything the rotation re-seals beyond the encrypted columns.
async fn rewrap_beyond_columns(state: &AppState, tenant: &Tenant) -> ApiResult<(u64, u64)> {
    let cipher = state
        .tenancy
        .keyring()
        .cipher(state.tenancy.owner_pool(), tenant.id)
        .await?;
    let media = rewrap_media(state, tenant, &cipher).await?;
    let plugin_values = rewrap_plugin_values(state, tenant, &cipher).await?;
    Ok((media, plugin_values))
}

/// The audit record of an operator's key change, written in the change's own transaction
/// (as the tenant's role, in its trail): the change and its record commit together.
async fn record_in(
    change: &mut tenants::keyring::KeyChange<'_>,
    tenant: &Tenant,
    operator: &Operator,
    client: &ClientContext,
    action: &'static str,
) -> ApiResult<()> {
    let event = AuditEvent::new(action, Outcome::Success, Actor::Operator(*operator.id.as_uuid()))
        .details(serde_json::json!({"version": change.version().get()}));
    tenant.scope().enter(change.conn()).await?;
    audit::append_on(change.conn(), &event, client).await?;
    Ok(())
}

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
        (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Being provisioned or deleted", body = Problem, content_type = "application/problem+json"),
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
    record_in(&mut change, &tenant, &operator, &client, "keys.rotate").await?;
    let version = change.commit().await.map_err(tenants::Error::from)?;
    let columns = state.tenancy.rewrap_columns(id).await?;
    let (media, plugin_values) = rewrap_beyond_columns(&state, &tenant).await?;
    let answer = RotatedKey {
        version: version.get(),
        scanned: columns.scanned,
        rewrapped: columns.rewrapped,
        media_rewrapped: media,
        plugin_values_rewrapped: plugin_values,
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
        (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rewrap(
    State(state): State<AppState>,
    operator: Operator,
    client: ClientContext,
    Path(id): Path<TenantId>,
) -> ApiResult<axum::Json<RotatedKey>> {
    let tenant = state.tenancy.get(id).await?;
    let columns = state.tenancy.rewrap_columns(id).await?;
    let (media, plugin_values) = rewrap_beyond_columns(&state, &tenant).await?;
    let cipher = state.tenancy.keyring().cipher(state.tenancy.owner_pool(), id).await?;
    let answer = RotatedKey {
        version: cipher.primary_version().get(),
        scanned: columns.scanned,
        rewrapped: columns.rewrapped,
        media_rewrapped: media,
        plugin_values_rewrapped: plugin_values,
    };
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
        (status = 404, description = "No such tenant or key version", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The primary version, or still sealing data", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn destroy(
    State(state): State<AppState>,
    operator: Operator,
    client: ClientContext,
    Path((id, version)): Path<(TenantId, u32)>,
) -> ApiResult<StatusCode> {
    let version = KeyVersion::new(version)
        .ok_or_else(|| ApiError::not_found("key_version_not_found", "key versions count from 1"))?;
    let tenant = state.tenancy.get(id).await?;
    let cipher = state.tenancy.keyring().cipher(state.tenancy.owner_pool(), id).await?;
    if cipher.primary_version() == version {
        return Err(ApiError::conflict(
            "key_is_primary",
            "this version seals new data: rotate, then destroy it",
        ));
    }
    let left = remaining(&state, &tenant, version).await?;
    if left.total() > 0 {
        return Err(ApiError::conflict(
            "key_still_used",
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
                ApiError::not_found("key_version_not_found", "the tenant has no such key version")
            }
            tenants::Error::Keyring(tenants::keyring::KeyringError::IsPrimary(_)) => {
                ApiError::conflict("key_is_primary", "this version seals new data: rotate, then destroy it")
            }
            tenants::Error::Keyring(tenants::keyring::KeyringError::RecentlyRetired(_)) => ApiError::conflict(
                "key_recently_retired",
                format!(
                    "a version may be destroyed {} s after the rotation that retired it: something may still seal under it",
                    tenants::keyring::Keyring::DESTROY_GRACE.as_secs()
                ),
            ),
            other => other.into(),
        })?;
    if let Some(mut change) = change {
        record_in(&mut change, &tenant, &operator, &client, "keys.destroy").await?;
        change.commit().await.map_err(tenants::Error::from)?;
    }
    tracing::warn!(operator.id = %operator.id, tenant.id = %id, key.version = version.get(), "operator destroyed a tenant key version");
    Ok(StatusCode::NO_CONTENT)
}
