//! jsonwebtoken's RustCrypto backend, with Ed25519 verifying keys built once per key instead
//! of on every verification. Building one decompresses a curve point, a tenth of the cost of
//! checking a signature; everything else (header, algorithm, claims) stays jsonwebtoken's.

use ed25519_dalek::{Signature, VerifyingKey};
use jsonwebtoken::crypto::{CryptoProvider, JwtVerifier, rust_crypto};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    verifier_factory: verifier,
    ..rust_crypto::DEFAULT_PROVIDER.clone()
});

/// Public keys seen so far. Signing keys are few (the active one and those retired in the
/// last day), so the bound is only against a caller feeding unexpected keys.
static VERIFYING_KEYS: LazyLock<RwLock<HashMap<[u8; 32], VerifyingKey>>> = LazyLock::new(Default::default);
const MAX_KEYS: usize = 256;

/// Makes this the process's provider. Call before the first token is signed or verified;
/// calling again is harmless.
pub fn install() {
    // Fails only when a provider is already installed: this one, from an earlier call.
    let _ = LazyLock::force(&PROVIDER).install_default();
}

struct CachedEd25519(VerifyingKey);

impl signature::Verifier<Vec<u8>> for CachedEd25519 {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        // The same check as jsonwebtoken's own EdDSA verifier.
        self.0.verify(message, &Signature::from_slice(signature)?)
    }
}

impl JwtVerifier for CachedEd25519 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if *algorithm != Algorithm::EdDSA {
        return (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(algorithm, key);
    }
    if key.family() != jsonwebtoken::AlgorithmFamily::Ed {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    let bytes: [u8; 32] = key
        .as_bytes()
        .get(..32)
        .and_then(|b| b.try_into().ok())
        .ok_or(ErrorKind::InvalidEddsaKey)?;
    if let Some(cached) = VERIFYING_KEYS.read().unwrap_or_else(|e| e.into_inner()).get(&bytes) {
        return Ok(Box::new(CachedEd25519(*cached)));
    }
    let built = VerifyingKey::from_bytes(&bytes).map_err(|_| ErrorKind::InvalidEddsaKey)?;
    let mut keys = VERIFYING_KEYS.write().unwrap_or_else(|e| e.into_inner());
    if keys.len() >= MAX_KEYS {
        keys.clear();
    }
    keys.insert(bytes, built);
    Ok(Box::new(CachedEd25519(built)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::signing_keys::KeySet;
    use jsonwebtoken::{EncodingKey, Header, Validation};
    use serde_json::json;

    fn validation() -> Validation {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation
    }

    #[test]
    fn eddsa_verification_builds_each_key_once_and_still_refuses_bad_signatures() {
        install();
        let (keys, _) = KeySet::in_memory("k1");
        let (stranger, _) = KeySet::in_memory("k1");
        let claims = json!({"sub": "someone"});
        let token = jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &keys.encoding).expect("sign");
        let forged = jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &stranger.encoding).expect("sign");
        let key = &keys.decoding["k1"];

        let decoded = jsonwebtoken::decode::<serde_json::Value>(&token, key, &validation()).expect("valid");
        assert_eq!(decoded.claims, claims);
        let public: [u8; 32] = key.as_bytes()[..32].try_into().expect("32 bytes");
        assert!(
            VERIFYING_KEYS.read().expect("lock").contains_key(&public),
            "the key was built once and kept"
        );
        assert!(jsonwebtoken::decode::<serde_json::Value>(&token, key, &validation()).is_ok());
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&forged, key, &validation()).is_err(),
            "a signature of another key"
        );
    }

    #[test]
    fn other_algorithms_still_go_through_the_stock_provider() {
        install();
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({"sub": "x"}),
            &EncodingKey::from_secret(b"secret"),
        )
        .expect("sign");
        let mut validation = Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let key = DecodingKey::from_secret(b"secret");
        assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).is_ok());
        let wrong = DecodingKey::from_secret(b"other");
        assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &wrong, &validation).is_err());
    }
}
