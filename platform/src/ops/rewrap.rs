//! Re-sealing what a tenant keeps under older key versions: encrypted columns, media objects
//! and plugins' sealed values. Idempotent (what is already under the primary key is only
//! marked so), so an interrupted rotation is finished by running it again.

use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::{ApiError, ApiResult};
use crate::media::objects::{media_field, media_key};
use crate::plugins::sealed::{SealedText, find_all};
use object_store::ObjectStore;
use serde::Serialize;
use tenants::keyring::{FieldCipher, FieldRef};
use tenants::{KeyVersion, OperatorId, Tenancy, Tenant};
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
    pub fn total(&self) -> u64 {
        self.columns + self.media + self.plugin_values
    }
}

/// Rows of one pass over media objects or sealed values.
const BATCH: i64 = 200;

/// Re-seals every media object not yet under the primary key. Idempotent: an object already
/// under it is only marked so.
async fn rewrap_media(
    tenancy: &Tenancy,
    objects: &dyn ObjectStore,
    tenant: &Tenant,
    cipher: &FieldCipher,
) -> ApiResult<u64> {
    let primary = cipher.primary_version();
    let mut rewrapped = 0;
    let mut after = uuid::Uuid::nil();
    loop {
        let mut tx = tenant.scope().begin(tenancy.owner_pool()).await?;
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
            let sealed = match objects.get(&key).await {
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
                objects.put(&key, resealed.into()).await.map_err(ApiError::internal)?;
                rewrapped += 1;
            }
            let mut tx = tenant.scope().begin(tenancy.owner_pool()).await?;
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
                drop(objects.delete(&key).await);
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
    tenancy: &Tenancy,
    tenant: &Tenant,
    mut reseal: impl FnMut(&SealedText, KeyVersion) -> ApiResult<Option<String>>,
) -> ApiResult<u64> {
    let mut changed = 0;
    for place in SEALED_PLACES {
        let mut after = (place.start.0.to_owned(), place.start.1.to_owned());
        loop {
            let mut tx = tenant.scope().begin(tenancy.owner_pool()).await?;
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
async fn rewrap_plugin_values(tenancy: &Tenancy, tenant: &Tenant, cipher: &FieldCipher) -> ApiResult<u64> {
    for_each_sealed(tenancy, tenant, |sealed, version| {
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
pub async fn remaining(tenancy: &Tenancy, tenant: &Tenant, version: KeyVersion) -> ApiResult<Remaining> {
    let columns = tenants::keyring::remaining_under(tenancy.owner_pool(), &tenant.scope(), version).await?;
    let mut tx = tenant.scope().begin(tenancy.owner_pool()).await?;
    let media: i64 = sqlx::query_scalar("SELECT count(*) FROM media WHERE key_version IS NULL OR key_version = $1")
        .bind(version.to_db())
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    // Only texts that open count: a made-up `ps2.` text naming this version (anyone who
    // writes meta could plant one) must not keep it from ever being destroyed.
    let cipher = tenancy.owner_field_cipher(tenant.id).await?;
    let mut plugin_values = 0;
    for_each_sealed(tenancy, tenant, |sealed, sealed_under| {
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

/// Re-seals everything of the tenant still under an older key version: the encrypted
/// columns, then media objects and plugins' sealed values. Answers with `version`, the
/// primary version it re-sealed under.
pub async fn rewrap_all(tenancy: &Tenancy, objects: &dyn ObjectStore, tenant: &Tenant) -> ApiResult<RotatedKey> {
    let columns = tenancy.rewrap_columns(tenant.id).await?;
    let cipher = tenancy.owner_field_cipher(tenant.id).await?;
    let media = rewrap_media(tenancy, objects, tenant, &cipher).await?;
    let plugin_values = rewrap_plugin_values(tenancy, tenant, &cipher).await?;
    Ok(RotatedKey {
        version: cipher.primary_version().get(),
        scanned: columns.scanned,
        rewrapped: columns.rewrapped,
        media_rewrapped: media,
        plugin_values_rewrapped: plugin_values,
    })
}

/// The audit record of an operator's key change, written in the change's own transaction
/// (as the tenant's role, in its trail): the change and its record commit together.
pub async fn record_in(
    change: &mut tenants::keyring::KeyChange<'_>,
    tenant: &Tenant,
    operator: OperatorId,
    client: &ClientContext,
    action: &'static str,
) -> ApiResult<()> {
    let event = AuditEvent::new(action, Outcome::Success, Actor::Operator(*operator.as_uuid()))
        .details(serde_json::json!({"version": change.version().get()}));
    tenant.scope().enter(change.conn()).await?;
    audit::append_on(change.conn(), &event, client).await?;
    Ok(())
}
