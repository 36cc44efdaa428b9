//! What a plugin call may reach, bound to one tenant and one plugin: its KV rows in the
//! tenant's schema (each operation its own short transaction under the tenant's role), its
//! configuration, and sealing with the tenant's data key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use futures_util::future::BoxFuture;
use plugins::{ServiceError, Services};
use sqlx::PgPool;
use std::sync::Arc;
use tenants::TenantScope;
use tenants::keyring::{FieldRef, Keyring};

/// Largest value one key holds.
pub const MAX_VALUE_BYTES: usize = 64 << 10;
/// Keys one plugin may keep in one tenant.
pub const MAX_KEYS: i64 = 10_000;
/// Bytes of values one plugin may keep in one tenant.
pub const MAX_TOTAL_BYTES: i64 = 16 << 20;

pub struct TenantServices {
    pub pool: PgPool,
    pub scope: TenantScope,
    pub keyring: Arc<Keyring>,
    pub plugin: String,
    pub config: String,
}

fn unavailable(error: impl std::fmt::Display) -> ServiceError {
    tracing::warn!(%error, "plugin storage unavailable");
    ServiceError::Unavailable
}

impl TenantServices {
    async fn set(&self, key: &str, value: &[u8]) -> Result<(), ServiceError> {
        if value.len() > MAX_VALUE_BYTES {
            return Err(ServiceError::TooLarge);
        }
        let mut tx = self.scope.begin(&self.pool).await.map_err(unavailable)?;
        sqlx::query(
            "INSERT INTO plugin_kv (plugin, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (plugin, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
        )
        .bind(&self.plugin)
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        // Checked after the write, in its transaction: an over-quota write is rolled back.
        let (keys, bytes): (i64, i64) = sqlx::query_as(
            "SELECT count(*), coalesce(sum(octet_length(value)), 0)::bigint FROM plugin_kv WHERE plugin = $1",
        )
        .bind(&self.plugin)
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        if keys > MAX_KEYS {
            return Err(ServiceError::QuotaExceeded(format!("at most {MAX_KEYS} keys")));
        }
        if bytes > MAX_TOTAL_BYTES {
            return Err(ServiceError::QuotaExceeded(format!(
                "at most {} MiB of values",
                MAX_TOTAL_BYTES >> 20
            )));
        }
        tx.commit().await.map_err(unavailable)
    }

    /// Binds a sealed value to the plugin and the context it names, so it opens nowhere else.
    fn field<'a>(&'a self, context: &'a str) -> FieldRef<'a> {
        FieldRef::new("plugin", &self.plugin, context)
    }
}

impl Services for TenantServices {
    fn kv_get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, ServiceError>> {
        Box::pin(async move {
            let mut tx = self.scope.begin(&self.pool).await.map_err(unavailable)?;
            let value = sqlx::query_scalar("SELECT value FROM plugin_kv WHERE plugin = $1 AND key = $2")
                .bind(&self.plugin)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await
                .map_err(unavailable)?;
            tx.commit().await.map_err(unavailable)?;
            Ok(value)
        })
    }

    fn kv_set<'a>(&'a self, key: &'a str, value: &'a [u8]) -> BoxFuture<'a, Result<(), ServiceError>> {
        Box::pin(self.set(key, value))
    }

    fn kv_delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, ServiceError>> {
        Box::pin(async move {
            let mut tx = self.scope.begin(&self.pool).await.map_err(unavailable)?;
            let deleted = sqlx::query("DELETE FROM plugin_kv WHERE plugin = $1 AND key = $2")
                .bind(&self.plugin)
                .bind(key)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
            tx.commit().await.map_err(unavailable)?;
            Ok(deleted.rows_affected() > 0)
        })
    }

    fn kv_list<'a>(&'a self, prefix: &'a str, limit: u32) -> BoxFuture<'a, Result<Vec<String>, ServiceError>> {
        Box::pin(async move {
            let mut tx = self.scope.begin(&self.pool).await.map_err(unavailable)?;
            // starts_with, not LIKE: a prefix holding % or _ means itself.
            let keys = sqlx::query_scalar(
                "SELECT key FROM plugin_kv WHERE plugin = $1 AND starts_with(key, $2) ORDER BY key LIMIT $3",
            )
            .bind(&self.plugin)
            .bind(prefix)
            .bind(i64::from(limit.min(1000)))
            .fetch_all(&mut *tx)
            .await
            .map_err(unavailable)?;
            tx.commit().await.map_err(unavailable)?;
            Ok(keys)
        })
    }

    fn config(&self) -> &str {
        &self.config
    }

    fn seal<'a>(&'a self, context: &'a str, plaintext: &'a [u8]) -> BoxFuture<'a, Result<String, ServiceError>> {
        Box::pin(async move {
            let cipher = self
                .keyring
                .cipher(&self.pool, self.scope.tenant_id())
                .await
                .map_err(unavailable)?;
            let ciphertext = cipher.encrypt(self.field(context), plaintext).map_err(unavailable)?;
            Ok(super::sealed::SealedText {
                plugin: self.plugin.clone(),
                context: context.to_owned(),
                ciphertext,
            }
            .encode())
        })
    }

    fn open<'a>(&'a self, context: &'a str, sealed: &'a str) -> BoxFuture<'a, Result<Vec<u8>, ServiceError>> {
        Box::pin(async move {
            let bytes = match super::sealed::SealedText::parse(sealed) {
                Some(text) if text.plugin == self.plugin && text.context == context => text.ciphertext,
                Some(_) => return Err(ServiceError::Invalid),
                // Sealed before texts named what they are bound to.
                None => B64.decode(sealed).map_err(|_| ServiceError::Invalid)?,
            };
            let cipher = self
                .keyring
                .cipher(&self.pool, self.scope.tenant_id())
                .await
                .map_err(unavailable)?;
            let plain = cipher
                .decrypt(self.field(context), &bytes)
                .map_err(|_| ServiceError::Invalid)?;
            Ok(plain.to_vec())
        })
    }
}
