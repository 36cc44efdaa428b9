//! Argon2id password hashing with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane).

use crate::Error;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::LazyLock;

/// A password that meets the policy: 12 to 1,024 characters. Long passphrases are welcome;
/// the upper bound only keeps hashing cost bounded.
#[derive(Debug)]
pub struct Password(SecretString);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(value: SecretString) -> Result<Self, Error> {
        let text = value.expose_secret();
        if text.chars().count() < Self::MIN_CHARS {
            return Err(Error::Invalid {
                field: "password",
                reason: "at least 12 characters".into(),
            });
        }
        if text.len() > Self::MAX_BYTES {
            return Err(Error::Invalid {
                field: "password",
                reason: "at most 1024 bytes".into(),
            });
        }
        Ok(Self(value))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on a blocking thread: a hash takes tens of milliseconds of CPU.
pub async fn hash_password(password: &Password) -> Result<String, Error> {
    let text = SecretString::from(password.expose());
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(text.expose_secret().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| Error::PasswordHash(e.to_string()))
    })
    .await
    .map_err(|e| Error::PasswordHash(e.to_string()))?
}

/// Verifies on a blocking thread. With no stored hash (unknown account, or one that never set
/// a password) it still spends the same work on a dummy hash, so timing does not tell which.
pub async fn verify_password(stored: Option<String>, candidate: &str) -> bool {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"dummy password for timing", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let candidate = SecretString::from(candidate);
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(candidate.expose_secret().as_bytes(), &parsed)
            .is_ok();
        known && ok
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let password = Password::parse(SecretString::from("correct horse battery")).expect("valid");
        let hash = hash_password(&password).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(Some(hash.clone()), "correct horse battery").await);
        assert!(!verify_password(Some(hash), "wrong horse battery").await);
        assert!(!verify_password(None, "dummy password for timing").await);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(Password::parse(SecretString::from("short")).is_err());
        assert!(Password::parse(SecretString::from("x".repeat(1025))).is_err());
    }
}
