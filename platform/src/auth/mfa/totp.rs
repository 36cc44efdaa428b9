//! TOTP per RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way, and
//! each step accepted at most once.

use rand::RngCore as _;
use totp_rs::{Algorithm, Builder, Secret, Totp};

pub const SECRET_BYTES: usize = 20;
pub const STEP_SECONDS: u64 = 30;

pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], issuer: &str, account: &str) -> Result<Totp, totp_rs::TotpError> {
    // The otpauth label uses ':' as its separator.
    let clean = |s: &str| s.replace(':', " ");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(Secret::from(secret.to_vec()))
        .with_issuer(Some(clean(issuer)))
        .with_account_name(clean(account))
        .build()
}

/// The `otpauth://totp/...` URI an authenticator app scans, and the secret in base32 for
/// typing it in.
pub fn enrolment(secret: &[u8], issuer: &str, account: &str) -> anyhow::Result<(String, String)> {
    let totp = totp(secret, issuer, account).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let uri = totp.to_url().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok((uri, totp.secret().to_base32()))
}

/// The step the code belongs to, if it is valid now and newer than `last_step`.
pub fn accept(secret: &[u8], code: &str, last_step: Option<i64>, now: u64) -> Option<i64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = totp(secret, "x", "x").ok()?.check(code, now)?;
    let step = i64::try_from(step).ok()?;
    (last_step.is_none_or(|last| step > last)).then_some(step)
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_at(secret: &[u8], time: u64) -> String {
        totp(secret, "x", "x").expect("totp").generate(time).to_string()
    }

    #[test]
    fn codes_are_accepted_within_one_step_and_only_once() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let step = i64::try_from(now / STEP_SECONDS).expect("step");
        assert_eq!(accept(&secret, &code_at(&secret, now), None, now), Some(step));
        assert_eq!(
            accept(&secret, &code_at(&secret, now - 30), None, now),
            Some(step - 1),
            "one step behind"
        );
        assert_eq!(
            accept(&secret, &code_at(&secret, now + 30), None, now),
            Some(step + 1),
            "one step ahead"
        );
        assert_eq!(
            accept(&secret, &code_at(&secret, now - 60), None, now),
            None,
            "two steps behind"
        );
        assert_eq!(
            accept(&secret, &code_at(&secret, now), Some(step), now),
            None,
            "replay of the same step"
        );
        assert_eq!(
            accept(&secret, &code_at(&secret, now - 30), Some(step), now),
            None,
            "an older step after a newer one"
        );
        assert_eq!(accept(&secret, "12345", None, now), None);
        assert_eq!(accept(&secret, "abcdef", None, now), None);
    }

    #[test]
    fn enrolment_uri_names_issuer_and_account() {
        let (uri, base32) = enrolment(&new_secret(), "St: Mary", "ana@stmary.example").expect("uri");
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(&format!("secret={base32}")), "{uri}");
        assert!(uri.contains("issuer=St"), "{uri}");
    }
}
