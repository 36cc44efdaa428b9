//! Access tokens: short-lived EdDSA JWTs. A tenant token's audience is its tenant and it is
//! only accepted on that tenant's hosts; an operator token's audience is the operator API, and
//! it is signed with a different key, so neither can pass for the other.

use super::signing_keys::{KeySet, Purpose};
use crate::config::TokenConfig;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
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

#[derive(Debug, Clone, Copy, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed or its signature is wrong")]
    Invalid,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not for this site")]
    WrongAudience,
    /// Signed with a key this instance does not know: a forgery, a removed key, or a key
    /// rotated in on another instance a moment ago.
    #[error("the token's key is unknown")]
    UnknownKey,
}

pub struct TokenService {
    issuer: String,
    access_ttl: Duration,
    keys: std::sync::RwLock<Arc<Keys>>,
    /// Where keys are reloaded from; `None` for key sets built in memory (unit tests).
    source: Option<(PgPool, Arc<dyn KeyEncryptionKey>)>,
    last_reload: tokio::sync::Mutex<std::time::Instant>,
    verified: VerifiedCache,
}

/// The key sets of both purposes, swapped whole on reload.
struct Keys {
    ops: KeySet,
    tenant: KeySet,
}

/// An unknown `kid` makes an instance look for new keys at most this often.
const RELOAD_AT_MOST_EVERY: Duration = Duration::from_secs(2);

/// Tenant tokens already verified, by their exact text: a client presents the same token for
/// up to 15 minutes, and the Ed25519 check is most of the cost of a request's authentication.
/// An entry holds only what the token itself says (subject, tenant, expiry); whether its
/// session is still live is checked in the database on every request regardless.
#[derive(Default)]
struct VerifiedCache {
    entries: std::sync::RwLock<std::collections::HashMap<Box<str>, (TenantSubject, TenantId, i64)>>,
}

const MAX_VERIFIED: usize = 50_000;

impl VerifiedCache {
    fn clear(&self) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn get(&self, token: &str, tenant: TenantId, now: i64) -> Option<TenantSubject> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let (subject, for_tenant, exp) = entries.get(token)?;
        // The same expiry rule, leeway included, as the full validation.
        (*for_tenant == tenant && now <= exp + LEEWAY_SECS as i64).then_some(*subject)
    }

    fn put(&self, token: &str, subject: TenantSubject, tenant: TenantId, exp: i64) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_VERIFIED {
            entries.clear();
        }
        entries.insert(token.into(), (subject, tenant, exp));
    }
}

pub struct Issued {
    pub token: String,
    pub expires_in: u64,
}

impl TokenService {
    pub async fn load(pool: &PgPool, kek: Arc<dyn KeyEncryptionKey>, config: &TokenConfig) -> anyhow::Result<Self> {
        super::jwt_crypto::install();
        let keys = Self::read_keys(pool, kek.as_ref()).await?;
        Ok(Self {
            issuer: config.issuer.clone(),
            access_ttl: config.access_ttl,
            keys: std::sync::RwLock::new(Arc::new(keys)),
            source: Some((pool.clone(), kek)),
            last_reload: tokio::sync::Mutex::new(std::time::Instant::now()),
            verified: VerifiedCache::default(),
        })
    }

    async fn read_keys(pool: &PgPool, kek: &dyn KeyEncryptionKey) -> anyhow::Result<Keys> {
        Ok(Keys {
            ops: KeySet::load_or_create(pool, kek, Purpose::Ops).await?,
            tenant: KeySet::load_or_create(pool, kek, Purpose::Tenant).await?,
        })
    }

    fn keys(&self) -> Arc<Keys> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Reads the signing keys again (after a rotation here or on another instance).
    pub async fn reload(&self) -> anyhow::Result<()> {
        let Some((pool, kek)) = &self.source else { return Ok(()) };
        let keys = Self::read_keys(pool, kek.as_ref()).await?;
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        // A removed key must not live on in remembered verifications.
        self.verified.clear();
        *self.last_reload.lock().await = std::time::Instant::now();
        Ok(())
    }

    /// Reloads when an unknown key was seen, unless that was done a moment ago (so forged
    /// kids cannot make every request hit the database).
    async fn reload_for_unknown_key(&self) -> bool {
        let last = *self.last_reload.lock().await;
        if last.elapsed() < RELOAD_AT_MOST_EVERY {
            return false;
        }
        match self.reload().await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "could not reload the signing keys");
                false
            }
        }
    }

    /// Retires the active key of `purpose` (it keeps verifying) and makes a new one sign.
    /// Every instance hears of it; one that has not yet verifies new tokens anyway, by
    /// reloading on their unknown key.
    pub async fn rotate(&self, purpose: Purpose) -> anyhow::Result<String> {
        let Some((pool, kek)) = &self.source else {
            anyhow::bail!("in-memory keys cannot rotate")
        };
        let kid = super::signing_keys::rotate(pool, kek.as_ref(), purpose).await?;
        self.reload().await?;
        Ok(kid)
    }

    /// [`Self::verify_tenant_access`], looking for new keys once when the key is unknown.
    pub async fn verify_tenant_access_fresh(&self, token: &str, tenant: TenantId) -> Result<TenantSubject, TokenError> {
        match self.verify_tenant_access(token, tenant) {
            Err(TokenError::UnknownKey) if self.reload_for_unknown_key().await => {
                self.verify_tenant_access(token, tenant)
            }
            other => other,
        }
    }

    /// [`Self::verify_ops`], looking for new keys once when the key is unknown.
    pub async fn verify_ops_fresh(&self, token: &str) -> Result<OperatorId, TokenError> {
        match self.verify_ops(token) {
            Err(TokenError::UnknownKey) if self.reload_for_unknown_key().await => self.verify_ops(token),
            other => other,
        }
    }

    pub fn tenant_audience(tenant: TenantId) -> String {
        format!("tenant:{tenant}")
    }

    pub fn issue_tenant_access(&self, tenant: TenantId, user: UserId, session: uuid::Uuid) -> anyhow::Result<Issued> {
        self.issue(
            &self.keys().tenant,
            user.to_string(),
            Self::tenant_audience(tenant),
            TYP_TENANT_ACCESS,
            Some((tenant.to_string(), session.to_string())),
        )
    }

    pub fn issue_ops(&self, operator: OperatorId) -> anyhow::Result<Issued> {
        self.issue(
            &self.keys().ops,
            operator.to_string(),
            OPS_AUDIENCE.to_owned(),
            TYP_OPS,
            None,
        )
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

    /// The user and session, when the token is a valid access token of exactly this tenant.
    pub fn verify_tenant_access(&self, token: &str, tenant: TenantId) -> Result<TenantSubject, TokenError> {
        if let Some(subject) = self.verified.get(token, tenant, chrono::Utc::now().timestamp()) {
            return Ok(subject);
        }
        let claims = self.verify(
            &self.keys().tenant,
            token,
            &Self::tenant_audience(tenant),
            TYP_TENANT_ACCESS,
        )?;
        if claims.tid.as_deref() != Some(tenant.to_string().as_str()) {
            return Err(TokenError::WrongAudience);
        }
        let user_id = claims.sub.parse().map_err(|_| TokenError::Invalid)?;
        let session_id = claims
            .sid
            .as_deref()
            .and_then(|s| s.parse().ok())
            .ok_or(TokenError::Invalid)?;
        let subject = TenantSubject { user_id, session_id };
        self.verified.put(token, subject, tenant, claims.exp);
        Ok(subject)
    }

    pub fn verify_ops(&self, token: &str) -> Result<OperatorId, TokenError> {
        let claims = self.verify(&self.keys().ops, token, OPS_AUDIENCE, TYP_OPS)?;
        claims.sub.parse().map_err(|_| TokenError::Invalid)
    }

    fn verify(&self, keys: &KeySet, token: &str, audience: &str, typ: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        // An unknown kid is a key of another purpose, a removed key, a forgery, or a key
        // rotated in elsewhere a moment ago.
        let kid = header.kid.as_deref().ok_or(TokenError::Invalid)?;
        let key = keys.decoding.get(kid).ok_or(TokenError::UnknownKey)?;
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
            .keys()
            .tenant
            .public
            .iter()
            .map(|(kid, x)| serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x}))
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::signing_keys::pkcs8_from_seed;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::EncodingKey;
    use serde_json::{Value, json};
    use tenants::keyring::DataKey;

    struct Fixture {
        service: TokenService,
        tenant_seed: DataKey,
        ops_seed: DataKey,
        tenant: TenantId,
    }

    fn fixture() -> Fixture {
        crate::auth::jwt_crypto::install();
        let (tenant_keys, tenant_seed) = KeySet::in_memory("tenant-k1");
        let (ops_keys, ops_seed) = KeySet::in_memory("ops-k1");
        let service = TokenService {
            issuer: "https://localhost".into(),
            access_ttl: Duration::from_secs(900),
            keys: std::sync::RwLock::new(Arc::new(Keys {
                ops: ops_keys,
                tenant: tenant_keys,
            })),
            source: None,
            last_reload: tokio::sync::Mutex::new(std::time::Instant::now()),
            verified: VerifiedCache::default(),
        };
        Fixture {
            service,
            tenant_seed,
            ops_seed,
            tenant: TenantId::new(),
        }
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    impl Fixture {
        /// Claims of a valid tenant access token, to be spoiled one field at a time.
        fn claims(&self) -> Value {
            json!({
                "iss": "https://localhost", "sub": UserId::new().to_string(),
                "aud": TokenService::tenant_audience(self.tenant), "tid": self.tenant.to_string(),
                "sid": uuid::Uuid::new_v4().to_string(), "typ": "access", "jti": "j",
                "iat": now(), "nbf": now(), "exp": now() + 600,
            })
        }

        fn sign(&self, seed: &DataKey, kid: &str, claims: &Value) -> String {
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = Some(kid.into());
            let key = EncodingKey::from_ed_der(&pkcs8_from_seed(seed.as_bytes()));
            jsonwebtoken::encode(&header, claims, &key).expect("sign")
        }

        fn verify(&self, token: &str) -> Result<TenantSubject, TokenError> {
            self.service.verify_tenant_access(token, self.tenant)
        }
    }

    fn without(mut claims: Value, field: &str) -> Value {
        claims.as_object_mut().expect("object").remove(field);
        claims
    }

    fn with(mut claims: Value, field: &str, value: Value) -> Value {
        claims[field] = value;
        claims
    }

    #[test]
    fn a_valid_token_passes_and_names_user_and_session() {
        let f = fixture();
        let claims = f.claims();
        let subject = f.verify(&f.sign(&f.tenant_seed, "tenant-k1", &claims)).expect("valid");
        assert_eq!(subject.user_id.to_string(), claims["sub"]);
        assert_eq!(subject.session_id.to_string(), claims["sid"]);
        let issued = f
            .service
            .issue_tenant_access(f.tenant, UserId::new(), uuid::Uuid::new_v4())
            .expect("issue");
        assert!(f.verify(&issued.token).is_ok());
    }

    #[test]
    fn claims_that_are_missing_foreign_or_out_of_time_are_refused() {
        let f = fixture();
        let base = f.claims();
        let cases = [
            ("missing aud", without(base.clone(), "aud")),
            (
                "foreign aud",
                with(
                    base.clone(),
                    "aud",
                    json!(TokenService::tenant_audience(TenantId::new())),
                ),
            ),
            ("ops aud", with(base.clone(), "aud", json!(OPS_AUDIENCE))),
            ("missing iss", without(base.clone(), "iss")),
            ("foreign iss", with(base.clone(), "iss", json!("https://evil.example"))),
            ("missing exp", without(base.clone(), "exp")),
            ("missing nbf", without(base.clone(), "nbf")),
            ("missing sub", without(base.clone(), "sub")),
            ("expired", with(base.clone(), "exp", json!(now() - 120))),
            ("nbf in the future", with(base.clone(), "nbf", json!(now() + 120))),
            ("wrong typ", with(base.clone(), "typ", json!("ops"))),
            ("missing typ", without(base.clone(), "typ")),
            (
                "foreign tid",
                with(base.clone(), "tid", json!(TenantId::new().to_string())),
            ),
            ("missing sid", without(base.clone(), "sid")),
            ("sub not a user id", with(base.clone(), "sub", json!("admin"))),
        ];
        for (name, claims) in cases {
            let token = f.sign(&f.tenant_seed, "tenant-k1", &claims);
            assert!(f.verify(&token).is_err(), "{name} was accepted");
        }
        let expired = f.sign(
            &f.tenant_seed,
            "tenant-k1",
            &with(base.clone(), "exp", json!(now() - 120)),
        );
        assert!(matches!(f.verify(&expired), Err(TokenError::Expired)));
    }

    #[test]
    fn forged_headers_and_signatures_are_refused() {
        let f = fixture();
        let claims = f.claims();
        let good = f.sign(&f.tenant_seed, "tenant-k1", &claims);
        let (header_and_payload, signature) = good.rsplit_once('.').expect("three parts");
        let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let payload = header_and_payload.split_once('.').expect("parts").1;

        // alg: none, with and without a signature.
        let none = format!(
            "{}.{payload}.",
            b64(&json!({"alg": "none", "typ": "JWT", "kid": "tenant-k1"}))
        );
        assert!(f.verify(&none).is_err(), "alg none");
        let none_signed = format!(
            "{}.{payload}.{signature}",
            b64(&json!({"alg": "none", "kid": "tenant-k1"}))
        );
        assert!(f.verify(&none_signed).is_err(), "alg none with a signature");

        // HS256 keyed with the public key (the classic algorithm confusion).
        let public = f.service.keys().tenant.public[0].1.clone();
        let mut hs = Header::new(Algorithm::HS256);
        hs.kid = Some("tenant-k1".into());
        let confused = jsonwebtoken::encode(&hs, &claims, &EncodingKey::from_secret(public.as_bytes())).expect("hs256");
        assert!(f.verify(&confused).is_err(), "HS256");

        // Unknown kid; known kid signed by another key; the operator key; no kid at all.
        let stranger = DataKey::generate();
        assert!(
            f.verify(&f.sign(&stranger, "tenant-k9", &claims)).is_err(),
            "unknown kid"
        );
        assert!(
            f.verify(&f.sign(&stranger, "tenant-k1", &claims)).is_err(),
            "wrong key for the kid"
        );
        assert!(
            f.verify(&f.sign(&f.ops_seed, "ops-k1", &claims)).is_err(),
            "operator key"
        );
        let mut no_kid = Header::new(Algorithm::EdDSA);
        no_kid.kid = None;
        let key = EncodingKey::from_ed_der(&pkcs8_from_seed(f.tenant_seed.as_bytes()));
        assert!(
            f.verify(&jsonwebtoken::encode(&no_kid, &claims, &key).expect("sign"))
                .is_err(),
            "no kid"
        );

        // A signature that does not match.
        let mut tampered = signature.to_owned().into_bytes();
        tampered[5] = if tampered[5] == b'A' { b'B' } else { b'A' };
        let bad = format!("{header_and_payload}.{}", String::from_utf8(tampered).expect("ascii"));
        assert!(f.verify(&bad).is_err(), "bad signature");
        let other_payload = b64(&with(claims.clone(), "sub", json!(UserId::new().to_string())));
        let swapped = format!(
            "{}.{other_payload}.{signature}",
            header_and_payload.split_once('.').expect("parts").0
        );
        assert!(f.verify(&swapped).is_err(), "payload swapped under a valid signature");
        assert!(f.verify("not.a.jwt").is_err() && f.verify("").is_err());
    }

    #[test]
    fn a_remembered_token_is_still_bound_to_its_tenant_and_expiry() {
        let f = fixture();
        let token = f.sign(&f.tenant_seed, "tenant-k1", &f.claims());
        assert!(f.verify(&token).is_ok());
        assert!(f.verify(&token).is_ok(), "from the cache");
        assert!(
            f.service.verify_tenant_access(&token, TenantId::new()).is_err(),
            "another tenant's host"
        );
        let expired = f.sign(
            &f.tenant_seed,
            "tenant-k1",
            &with(f.claims(), "exp", json!(now() - 120)),
        );
        f.service
            .verified
            .put(&expired, f.verify(&token).expect("valid"), f.tenant, now() - 120);
        assert!(
            f.verify(&expired).is_err(),
            "an expired entry is not served from the cache"
        );
    }

    #[test]
    fn operator_and_tenant_tokens_never_cross() {
        let f = fixture();
        let ops = f.service.issue_ops(OperatorId::new()).expect("ops token");
        assert!(f.verify(&ops.token).is_err(), "an operator token on a tenant route");
        let tenant = f
            .service
            .issue_tenant_access(f.tenant, UserId::new(), uuid::Uuid::new_v4())
            .expect("tenant token");
        assert!(
            f.service.verify_ops(&tenant.token).is_err(),
            "a tenant token on an operator route"
        );
        assert!(f.service.verify_ops(&ops.token).is_ok());
    }
}
