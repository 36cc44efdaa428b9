//! Ed25519 token signing keys, one active key per purpose (operator tokens, tenant tokens),
//! stored in the control plane with the private seed wrapped by the key-encryption key.

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, EncodingKey};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::collections::HashMap;
use tenants::keyring::{DataKey, KeyEncryptionKey};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Ops,
    Tenant,
    /// Audit chain checkpoints. Never rotated through the API: old checkpoints must verify.
    Audit,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ops => "ops",
            Self::Tenant => "tenant",
            Self::Audit => "audit",
        }
    }
}

/// The keys of one purpose: the active one signs, all of them verify.
pub struct KeySet {
    pub(crate) kid: String,
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: HashMap<String, DecodingKey>,
    /// (kid, base64url public key) for the JWKS document.
    pub(super) public: Vec<(String, String)>,
}

/// PKCS#8 v1 wrapping of an Ed25519 seed (RFC 8410): a fixed prefix, then the 32 bytes.
pub(crate) fn pkcs8_from_seed(seed: &[u8; 32]) -> Vec<u8> {
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    [PREFIX.as_slice(), seed].concat()
}

fn aad(kid: &str) -> Vec<u8> {
    [b"platform.signing-key|".as_slice(), kid.as_bytes()].concat()
}

#[derive(sqlx::FromRow)]
struct Row {
    kid: String,
    public_key: Vec<u8>,
    wrapped_private: Vec<u8>,
    status: String,
}

impl KeySet {
    /// Loads the purpose's keys, creating the first active key when there is none. Instances
    /// starting together agree on one key through an advisory lock.
    pub async fn load_or_create(pool: &PgPool, kek: &dyn KeyEncryptionKey, purpose: Purpose) -> anyhow::Result<Self> {
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('platform.signing_keys.' || $1, 0))")
            .bind(purpose.as_str())
            .execute(&mut *tx)
            .await?;
        let mut rows: Vec<Row> = sqlx::query_as(
            "SELECT kid, public_key, wrapped_private, status FROM platform.signing_keys WHERE purpose = $1 ORDER BY created_at",
        )
        .bind(purpose.as_str())
        .fetch_all(&mut *tx)
        .await?;
        if !rows.iter().any(|r| r.status == "active") {
            rows.push(create(&mut tx, kek, purpose).await?);
        }
        tx.commit().await?;

        let mut decoding = HashMap::new();
        let mut public = Vec::new();
        let mut active = None;
        for row in rows {
            let x = URL_SAFE_NO_PAD.encode(&row.public_key);
            decoding.insert(row.kid.clone(), DecodingKey::from_ed_der(&row.public_key));
            public.push((row.kid.clone(), x));
            if row.status == "active" {
                let seed = kek
                    .unwrap(&aad(&row.kid), &row.wrapped_private)
                    .await
                    .with_context(|| format!("cannot unwrap signing key {}", row.kid))?;
                active = Some((row.kid, EncodingKey::from_ed_der(&pkcs8_from_seed(seed.as_bytes()))));
            }
        }
        let (kid, encoding) = active.context("no active signing key")?;
        Ok(Self {
            kid,
            encoding,
            decoding,
            public,
        })
    }
}

/// Retires the purpose's active key, removes keys retired over a day ago, creates the next
/// key and tells every instance. Returns the new kid.
pub async fn rotate(pool: &PgPool, kek: &dyn KeyEncryptionKey, purpose: Purpose) -> anyhow::Result<String> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('platform.signing_keys.' || $1, 0))")
        .bind(purpose.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE platform.signing_keys SET status = 'retired', retired_at = now() WHERE purpose = $1 AND status = 'active'",
    )
    .bind(purpose.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM platform.signing_keys WHERE purpose = $1 AND status = 'retired' \
         AND retired_at < now() - interval '1 day'",
    )
    .bind(purpose.as_str())
    .execute(&mut *tx)
    .await?;
    let row = create(&mut tx, kek, purpose).await?;
    tenants::invalidation::notify(&mut tx, tenants::invalidation::Invalidation::SigningKeys).await?;
    tx.commit().await?;
    tracing::info!(key.kid = %row.kid, key.purpose = purpose.as_str(), "signing key rotated");
    Ok(row.kid)
}

async fn create(conn: &mut sqlx::PgConnection, kek: &dyn KeyEncryptionKey, purpose: Purpose) -> anyhow::Result<Row> {
    let seed = DataKey::generate();
    let pair = Ed25519KeyPair::from_seed_unchecked(seed.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot derive an Ed25519 key: {e}"))?;
    let public_key = pair.public_key().as_ref().to_vec();
    let digest = Sha256::digest(&public_key);
    let kid = format!("{}-{}", purpose.as_str(), URL_SAFE_NO_PAD.encode(&digest[..9]));
    let wrapped_private = kek.wrap(&aad(&kid), &seed).await?;
    sqlx::query(
        "INSERT INTO platform.signing_keys (kid, purpose, algorithm, public_key, wrapped_private, kek_id, status) \
         VALUES ($1, $2, 'EdDSA', $3, $4, $5, 'active')",
    )
    .bind(&kid)
    .bind(purpose.as_str())
    .bind(&public_key)
    .bind(&wrapped_private)
    .bind(kek.id())
    .execute(conn)
    .await?;
    tracing::info!(key.kid = %kid, key.purpose = purpose.as_str(), "created a token signing key");
    Ok(Row {
        kid,
        public_key,
        wrapped_private,
        status: "active".into(),
    })
}

#[cfg(test)]
impl KeySet {
    /// A key set that never touches a database: (the set, its active kid, the signing seed).
    pub(crate) fn in_memory(kid: &str) -> (Self, DataKey) {
        let seed = DataKey::generate();
        let pair = Ed25519KeyPair::from_seed_unchecked(seed.as_bytes()).expect("seed");
        let public_key = pair.public_key().as_ref().to_vec();
        let set = Self {
            kid: kid.to_owned(),
            encoding: EncodingKey::from_ed_der(&pkcs8_from_seed(seed.as_bytes())),
            decoding: HashMap::from([(kid.to_owned(), DecodingKey::from_ed_der(&public_key))]),
            public: vec![(kid.to_owned(), URL_SAFE_NO_PAD.encode(&public_key))],
        };
        (set, seed)
    }
}
