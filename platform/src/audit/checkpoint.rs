//! Signed checkpoints of each tenant's audit chain, kept outside the database. Someone able to
//! rewrite and re-hash the whole chain in PostgreSQL still cannot make it match a checkpoint
//! signed earlier and stored elsewhere.
//!
//! A checkpoint is a compact EdDSA JWS (`{tid, seq, hash, iat}`, signed with a key of purpose
//! `audit`) at `tenants/{tenant id}/audit-checkpoints/{seq, 20 digits}.jws`.

use crate::auth::signing_keys::KeySet;
use jsonwebtoken::{Algorithm, Header, Validation};
use object_store::ObjectStore;
use object_store::path::Path;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tenants::{Tenant, TenantId};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    pub tid: String,
    pub seq: i64,
    /// Hex SHA-256 of row `seq`.
    pub hash: String,
    pub iat: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("object storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("a checkpoint's signature or contents are not valid: {0}")]
    Invalid(String),
    /// The chain no longer extends the last signed checkpoint: it was rewritten, and its
    /// head is not signed.
    #[error("the audit chain does not extend its last signed checkpoint: {0}")]
    DoesNotExtend(String),
}

pub struct Checkpoints {
    store: Arc<dyn ObjectStore>,
    keys: KeySet,
    /// The newest seq written per tenant by this instance, to skip unchanged chains.
    written: Mutex<HashMap<TenantId, i64>>,
}

/// Checkpoint objects read at once.
const READ_CONCURRENCY: usize = 16;

fn prefix(tenant: TenantId) -> Path {
    Path::from(format!("tenants/{tenant}/audit-checkpoints"))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Checkpoints {
    pub fn new(store: Arc<dyn ObjectStore>, keys: KeySet) -> Self {
        Self {
            store,
            keys,
            written: Mutex::new(HashMap::new()),
        }
    }

    /// Signs and stores the tenant's chain head, unless this instance already did for it.
    /// Returns the seq checkpointed.
    ///
    /// A checkpoint is signed only when the chain extends the last one signed: that row
    /// still holds the hash signed then, and every row after it continues the chain.
    /// Otherwise the chain was rewritten, and signing its head would bless the rewrite:
    /// [`CheckpointError::DoesNotExtend`].
    pub async fn write(&self, pool: &sqlx::PgPool, tenant: &Tenant) -> Result<Option<i64>, CheckpointError> {
        // The head first, cheaply: most ticks find nothing new for most tenants.
        let mut tx = tenant.scope().begin(pool).await?;
        let (seq, hash): (i64, Vec<u8>) = sqlx::query_as("SELECT seq, hash FROM audit_head")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        let already = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tenant.id)
            .copied();
        if seq == 0 || already == Some(seq) {
            return Ok(None);
        }
        // Object storage next, holding no connection while waiting for it.
        let last = self.latest(tenant.id).await?;
        if last.as_ref().is_some_and(|c| c.seq == seq && c.hash == hex(&hash)) {
            return Ok(None);
        }
        let (from_seq, from_hash) = match &last {
            Some(c) => (c.seq, c.hash.clone()),
            None => (0, hex(&super::record::GENESIS_HASH)),
        };
        let mut tx = tenant.scope().begin(pool).await?;
        if let Err(why) = super::verify::extends(&mut tx, from_seq, &from_hash, seq, &hash).await? {
            metrics::counter!("audit_checkpoints_refused_total").increment(1);
            return Err(CheckpointError::DoesNotExtend(why));
        }
        tx.commit().await?;
        let claims = Checkpoint {
            tid: tenant.id.to_string(),
            seq,
            hash: hex(&hash),
            iat: chrono::Utc::now().timestamp(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.kid.clone());
        let jws = jsonwebtoken::encode(&header, &claims, &self.keys.encoding)
            .map_err(|e| CheckpointError::Invalid(e.to_string()))?;
        let location = prefix(tenant.id).child(format!("{seq:020}.jws"));
        self.store.put(&location, jws.into_bytes().into()).await?;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant.id, seq);
        Ok(Some(seq))
    }

    /// The newest checkpoint of the tenant, its signature verified.
    pub async fn latest(&self, tenant: TenantId) -> Result<Option<Checkpoint>, CheckpointError> {
        let mut names = self.names(tenant).await?;
        // Names are zero-padded seqs: the greatest name is the newest checkpoint.
        match names.pop() {
            Some(newest) => self.read(tenant, &newest).await.map(Some),
            None => Ok(None),
        }
    }

    /// The newest `limit` checkpoints of the tenant, oldest first, each signature verified
    /// (the first that does not verify is the error), read a few at a time; and how many are
    /// stored in all.
    pub async fn newest(&self, tenant: TenantId, limit: usize) -> Result<(Vec<Checkpoint>, usize), CheckpointError> {
        use futures_util::{StreamExt as _, TryStreamExt as _};
        let names = self.names(tenant).await?;
        let stored = names.len();
        let recent = names.into_iter().skip(stored.saturating_sub(limit));
        let read: Vec<Checkpoint> = futures_util::stream::iter(recent)
            .map(|name| async move { self.read(tenant, &name).await })
            .buffered(READ_CONCURRENCY)
            .try_collect()
            .await?;
        Ok((read, stored))
    }

    async fn names(&self, tenant: TenantId) -> Result<Vec<Path>, CheckpointError> {
        use futures_util::TryStreamExt as _;
        let objects: Vec<_> = self.store.list(Some(&prefix(tenant))).try_collect().await?;
        let mut names: Vec<Path> = objects.into_iter().map(|o| o.location).collect();
        names.sort();
        Ok(names)
    }

    async fn read(&self, tenant: TenantId, location: &Path) -> Result<Checkpoint, CheckpointError> {
        let invalid = |why: String| CheckpointError::Invalid(format!("{location}: {why}"));
        let bytes = self.store.get(location).await?.bytes().await?;
        let jws = std::str::from_utf8(&bytes).map_err(|_| invalid("not text".into()))?;
        let header = jsonwebtoken::decode_header(jws).map_err(|e| invalid(e.to_string()))?;
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.decoding.get(kid))
            .ok_or_else(|| invalid("unknown signing key".into()))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims::<&str>(&[]);
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Checkpoint>(jws, key, &validation).map_err(|e| invalid(e.to_string()))?;
        if data.claims.tid != tenant.to_string() {
            return Err(invalid("a checkpoint of another tenant".into()));
        }
        if location.filename() != Some(format!("{:020}.jws", data.claims.seq).as_str()) {
            return Err(invalid("stored under another seq than it signs".into()));
        }
        Ok(data.claims)
    }
}

/// Writes checkpoints for every live tenant, every `every`, until the task is aborted.
pub fn spawn_periodic(
    checkpoints: Arc<Checkpoints>,
    tenancy: tenants::Tenancy,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let mut page = 1;
            loop {
                let Ok(batch) = tenancy.list(page, 100, Some(tenants::TenantStatus::Active)).await else {
                    break;
                };
                for tenant in &batch.tenants {
                    match checkpoints.write(tenancy.pool(), tenant).await {
                        Ok(_) => {}
                        Err(error @ CheckpointError::DoesNotExtend(_)) => {
                            tracing::error!(tenant.id = %tenant.id, %error, "audit chain rewritten: checkpoint refused");
                        }
                        Err(error) => tracing::warn!(tenant.id = %tenant.id, %error, "audit checkpoint failed"),
                    }
                }
                if batch.tenants.len() < 100 {
                    break;
                }
                page += 1;
            }
        }
    })
}
