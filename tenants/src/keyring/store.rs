use super::field::TenantKeys;
use super::{DataKey, FieldCipher, KeyEncryptionKey, KeyringError};
use crate::invalidation::{Invalidation, notify};
use crate::{KeyVersion, TenantId};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// A key change made but not yet committed: whatever else must commit with it (its audit
/// record, in the tenant's trail) runs on [`KeyChange::conn`] first.
pub struct KeyChange<'k> {
    keyring: &'k Keyring,
    tenant: TenantId,
    version: KeyVersion,
    tx: Transaction<'static, Postgres>,
}

impl KeyChange<'_> {
    /// The version added (rotation) or destroyed.
    pub fn version(&self) -> KeyVersion {
        self.version
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<KeyVersion, KeyringError> {
        self.tx.commit().await?;
        self.keyring.invalidate(self.tenant);
        Ok(self.version)
    }
}
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The process's view of every tenant's data keys: wrapped in the control plane, unwrapped on
/// first use and cached until a rotation or shredding invalidates them (across instances
/// through the invalidation channel).
pub struct Keyring {
    kek: Arc<dyn KeyEncryptionKey>,
    cache: RwLock<HashMap<TenantId, Arc<TenantKeys>>>,
    /// Bumped by every invalidation, under the cache's lock: keys loaded before one (a
    /// rotation or a destruction in flight) are used for the call that loaded them, never
    /// cached.
    generation: AtomicU64,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    version: i32,
    status: String,
    kek_id: String,
    wrapped: Option<Vec<u8>>,
}

impl Keyring {
    /// How long a version must have been retired before it may be destroyed: longer than a
    /// request may take (30 s) plus the time an instance needs to hear of a rotation.
    pub const DESTROY_GRACE: std::time::Duration = std::time::Duration::from_secs(120);

    pub fn new(kek: Arc<dyn KeyEncryptionKey>) -> Self {
        Self {
            kek,
            cache: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    pub fn kek(&self) -> &dyn KeyEncryptionKey {
        self.kek.as_ref()
    }

    /// The KEK itself, for services that keep wrapping and unwrapping (token signing keys).
    pub fn kek_shared(&self) -> Arc<dyn KeyEncryptionKey> {
        self.kek.clone()
    }

    /// Associated data of a wrapped data key: it only unwraps for this tenant and version.
    fn wrap_aad(tenant: TenantId, version: KeyVersion) -> Vec<u8> {
        [
            b"platform.dek".as_slice(),
            tenant.as_uuid().as_bytes(),
            &version.get().to_be_bytes(),
        ]
        .concat()
    }

    /// Generates, wraps and stores a new data key as the tenant's primary. Runs inside the
    /// caller's transaction (provisioning or rotation).
    pub(crate) async fn add_primary_key(
        &self,
        conn: &mut PgConnection,
        tenant: TenantId,
        version: KeyVersion,
    ) -> Result<(), KeyringError> {
        let key = DataKey::generate();
        let wrapped = self.kek.wrap(&Self::wrap_aad(tenant, version), &key).await?;
        sqlx::query("UPDATE platform.tenant_keys SET status = 'active' WHERE tenant_id = $1 AND status = 'primary'")
            .bind(tenant)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO platform.tenant_keys (tenant_id, version, status, kek_id, wrapped) \
             VALUES ($1, $2, 'primary', $3, $4)",
        )
        .bind(tenant)
        .bind(version.to_db())
        .bind(self.kek.id())
        .bind(wrapped)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The tenant's field cipher, from cache or freshly unwrapped.
    pub async fn cipher(&self, pool: &PgPool, tenant: TenantId) -> Result<FieldCipher, KeyringError> {
        if let Some(keys) = self.cached(tenant) {
            return Ok(FieldCipher::new(keys));
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let keys = Arc::new(self.load(pool, tenant).await?);
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) == generation {
            cache.insert(tenant, keys.clone());
        }
        Ok(FieldCipher::new(keys))
    }

    fn cached(&self, tenant: TenantId) -> Option<Arc<TenantKeys>> {
        self.cache
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tenant)
            .cloned()
    }

    async fn load(&self, pool: &PgPool, tenant: TenantId) -> Result<TenantKeys, KeyringError> {
        let rows: Vec<KeyRow> = sqlx::query_as(
            "SELECT version, status, kek_id, wrapped FROM platform.tenant_keys WHERE tenant_id = $1 ORDER BY version",
        )
        .bind(tenant)
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Err(KeyringError::NoKeys);
        }
        let mut keys = BTreeMap::new();
        let mut primary = None;
        for row in rows {
            let version = KeyVersion::from_db(row.version);
            let Some(wrapped) = row.wrapped else { continue };
            if row.kek_id != self.kek.id() {
                return Err(KeyringError::WrongKek {
                    stored: row.kek_id,
                    configured: self.kek.id().to_owned(),
                });
            }
            let key = self.kek.unwrap(&Self::wrap_aad(tenant, version), &wrapped).await?;
            if row.status == "primary" {
                primary = Some(version);
            }
            keys.insert(version, key);
        }
        let primary = primary.ok_or(KeyringError::Destroyed)?;
        Ok(TenantKeys {
            tenant_id: tenant,
            primary,
            keys,
        })
    }

    /// Makes a new data key the primary. Old versions stay usable for decryption until their
    /// ciphertexts are rewrapped. Returns the new version.
    pub async fn rotate(&self, pool: &PgPool, tenant: TenantId) -> Result<KeyVersion, KeyringError> {
        self.begin_rotation(pool, tenant).await?.commit().await
    }

    /// [`Self::rotate`], not yet committed.
    pub async fn begin_rotation(&self, pool: &PgPool, tenant: TenantId) -> Result<KeyChange<'_>, KeyringError> {
        let mut tx = pool.begin().await?;
        // Serialises concurrent rotations of one tenant.
        let current: Option<i32> = sqlx::query_scalar(
            "SELECT max(version) FROM (SELECT version FROM platform.tenant_keys WHERE tenant_id = $1 FOR UPDATE) k",
        )
        .bind(tenant)
        .fetch_one(&mut *tx)
        .await?;
        let current = current.ok_or(KeyringError::NoKeys)?;
        let destroyed: bool = sqlx::query_scalar(
            "SELECT NOT EXISTS (SELECT 1 FROM platform.tenant_keys WHERE tenant_id = $1 AND status <> 'destroyed')",
        )
        .bind(tenant)
        .fetch_one(&mut *tx)
        .await?;
        if destroyed {
            return Err(KeyringError::Destroyed);
        }
        let next = KeyVersion::from_db(current).next();
        self.add_primary_key(&mut tx, tenant, next).await?;
        notify(&mut tx, Invalidation::Keys(tenant)).await?;
        Ok(KeyChange {
            keyring: self,
            tenant,
            version: next,
            tx,
        })
    }

    /// Crypto-shredding: destroys every wrapped data key of the tenant. From here on nothing
    /// encrypted for this tenant can be decrypted, by anyone. Committed on its own, before
    /// anything else of the tenant is removed.
    pub async fn shred(&self, pool: &PgPool, tenant: TenantId) -> Result<u64, KeyringError> {
        let mut tx = pool.begin().await?;
        let destroyed = sqlx::query(
            "UPDATE platform.tenant_keys SET wrapped = NULL, status = 'destroyed', destroyed_at = now() \
             WHERE tenant_id = $1 AND status <> 'destroyed'",
        )
        .bind(tenant)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        notify(&mut tx, Invalidation::Keys(tenant)).await?;
        tx.commit().await?;
        self.invalidate(tenant);
        Ok(destroyed)
    }

    /// Destroys one retired version of the tenant's data key: whatever is still sealed under
    /// it can never be opened again. Idempotent; the primary version is refused.
    ///
    /// A version retired less than [`Self::DESTROY_GRACE`] ago is refused: instances that have
    /// not heard of the rotation yet, and requests that loaded their keys before it, may still
    /// seal under it. Not yet committed: see [`KeyChange`]. `None` when it already was.
    pub async fn begin_destroy(
        &self,
        pool: &PgPool,
        tenant: TenantId,
        version: KeyVersion,
    ) -> Result<Option<KeyChange<'_>>, KeyringError> {
        let mut tx = pool.begin().await?;
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM platform.tenant_keys WHERE tenant_id = $1 AND version = $2 FOR UPDATE",
        )
        .bind(tenant)
        .bind(version.to_db())
        .fetch_optional(&mut *tx)
        .await?;
        match status.as_deref() {
            None => return Err(KeyringError::UnknownVersion(version)),
            Some("primary") => return Err(KeyringError::IsPrimary(version)),
            Some("destroyed") => return Ok(None),
            Some(_) => {}
        }
        let retired_long_enough: bool = sqlx::query_scalar(
            "SELECT coalesce(min(created_at) < now() - make_interval(secs => $3), false) \
             FROM platform.tenant_keys WHERE tenant_id = $1 AND version > $2",
        )
        .bind(tenant)
        .bind(version.to_db())
        .bind(Self::DESTROY_GRACE.as_secs_f64())
        .fetch_one(&mut *tx)
        .await?;
        if !retired_long_enough {
            return Err(KeyringError::RecentlyRetired(version));
        }
        sqlx::query(
            "UPDATE platform.tenant_keys SET wrapped = NULL, status = 'destroyed', destroyed_at = now() \
             WHERE tenant_id = $1 AND version = $2",
        )
        .bind(tenant)
        .bind(version.to_db())
        .execute(&mut *tx)
        .await?;
        notify(&mut tx, Invalidation::Keys(tenant)).await?;
        Ok(Some(KeyChange {
            keyring: self,
            tenant,
            version,
            tx,
        }))
    }

    pub fn invalidate(&self, tenant: TenantId) {
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        cache.remove(&tenant);
    }

    pub fn invalidate_all(&self) {
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        cache.clear();
    }
}
