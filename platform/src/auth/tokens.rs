//! Access tokens: short-lived EdDSA JWTs. A tenant token's audience is its tenant and it is
//! only accepted on that tenant's hosts; an operator token's audience is the operator API, and
//! it is signed with a different key, so neither can pass for the other.

use super::signing_keys::{KeySet, Purpose};
use crate::config::TokenConfig;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::time::Duration;
use tenants::keyring::KeyEncryptionKey;
use tenants::{OperatorId, TenantId, UserId};

pub const OPS_AUDIENCE: &str = "platform-ops";
const TYP_TENANT_ACCESS: &str = "access";
const TYP_OPS: &str = "ops";
/// Clock skew tolerated between instances.
const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    /// `access` (tenant user) or `ops` (operator).
    pub typ: String,
    /// The tenant, for tenant tokens (equal to `aud`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// The session, for tenant tokens: revoking it ends the token at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Who a valid tenant access token speaks for.
#[derive(Debug, Clone, Copy)]
pub struct TenantSubject {
    pub user_id: UserId,
    pub session_id: uuid::Uuid,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed or its signature is wrong")]
    Invalid,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not for this site")]
    WrongAudience,
}

pub struct TokenService {
    issuer: String,
    access_ttl: Duration,
    ops: KeySet,
    tenant: KeySet,
}

pub struct Issued {
    pub token: String,
    pub expires_in: u64,
}

impl TokenService {
    pub async fn load(pool: &PgPool, kek: &dyn KeyEncryptionKey, config: &TokenConfig) -> anyhow::Result<Self> {
        Ok(Self {
            issuer: config.issuer.clone(),
            access_ttl: config.access_ttl,
            ops: KeySet::load_or_create(pool, kek, Purpose::Ops).await?,
            tenant: KeySet::load_or_create(pool, kek, Purpose::Tenant).await?,
        })
    }

    pub fn tenant_audience(tenant: TenantId) -> String {
        format!("tenant:{tenant}")
    }

    pub fn issue_tenant_access(&self, tenant: TenantId, user: UserId, session: uuid::Uuid) -> anyhow::Result<Issued> {
        self.issue(
            &self.tenant,
            user.to_string(),
            Self::tenant_audience(tenant),
            TYP_TENANT_ACCESS,
            Some((tenant.to_string(), session.to_string())),
        )
    }

    pub fn issue_ops(&self, operator: OperatorId) -> anyhow::Result<Issued> {
        self.issue(&self.ops, operator.to_string(), OPS_AUDIENCE.to_owned(), TYP_OPS, None)
    }

    /// `tenant`: (tenant id, session id) for tenant tokens.
    fn issue(
        &self,
        keys: &KeySet,
        sub: String,
        aud: String,
        typ: &str,
        tenant: Option<(String, String)>,
    ) -> anyhow::Result<Issued> {
        let (tid, sid) = tenant.unzip();
        let now = chrono::Utc::now().timestamp();
        let ttl = self.access_ttl.as_secs();
        let claims = Claims {
            iss: self.issuer.clone(),
            sub,
            aud,
            exp: now + i64::try_from(ttl)?,
            nbf: now,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            typ: typ.to_owned(),
            tid,
            sid,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(keys.kid.clone());
        header.typ = Some("JWT".into());
        let token = jsonwebtoken::encode(&header, &claims, &keys.encoding)?;
        Ok(Issued { token, expires_in: ttl })
    }

    /// A user id, when the token is a valid access token of exactly this tenant.
    /// The user and session, when the token is a valid access token of exactly this tenant.
    pub fn verify_tenant_access(&self, token: &str, tenant: TenantId) -> Result<TenantSubject, TokenError> {
        let claims = self.verify(&self.tenant, token, &Self::tenant_audience(tenant), TYP_TENANT_ACCESS)?;
        if claims.tid.as_deref() != Some(tenant.to_string().as_str()) {
            return Err(TokenError::WrongAudience);
        }
        let user_id = claims.sub.parse().map_err(|_| TokenError::Invalid)?;
        let session_id = claims
            .sid
            .as_deref()
            .and_then(|s| s.parse().ok())
            .ok_or(TokenError::Invalid)?;
        Ok(TenantSubject { user_id, session_id })
    }

    pub fn verify_ops(&self, token: &str) -> Result<OperatorId, TokenError> {
        let claims = self.verify(&self.ops, token, OPS_AUDIENCE, TYP_OPS)?;
        claims.sub.parse().map_err(|_| TokenError::Invalid)
    }

    fn verify(&self, keys: &KeySet, token: &str, audience: &str, typ: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        // An unknown kid is a key of another purpose, a retired key, or a forgery.
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| keys.decoding.get(kid))
            .ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        // `set_audience` alone does not make `aud` required; the required list does.
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                _ => TokenError::Invalid,
            }
        })?;
        if data.claims.typ != typ {
            return Err(TokenError::WrongAudience);
        }
        Ok(data.claims)
    }

    /// The public keys of tenant tokens, as a JWKS document.
    pub fn tenant_jwks(&self) -> serde_json::Value {
        let keys: Vec<_> = self
            .tenant
            .public
            .iter()
            .map(|(kid, x)| serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x}))
            .collect();
        serde_json::json!({ "keys": keys })
    }
}
