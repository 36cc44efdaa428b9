//! Backup codes: ten single-use codes of 12 characters from a 32-symbol alphabet (60 bits
//! each), shown once, stored as SHA-256 bound to the user.

use rand::Rng as _;
use sha2::{Digest, Sha256};
use tenants::{TenantTx, UserId};

pub const COUNT: usize = 10;
/// No 0/O or 1/I/L, so codes survive being read aloud or typed from paper.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

pub fn generate() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..COUNT)
        .map(|_| {
            let raw: String = (0..12)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
        })
        .collect()
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn hash(user: UserId, code: &str) -> Vec<u8> {
    Sha256::digest([user.as_uuid().as_bytes().as_slice(), normalise(code).as_bytes()].concat()).to_vec()
}

/// Replaces the user's codes with these.
pub async fn store(tx: &mut TenantTx, user: UserId, codes: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM mfa_backup_codes WHERE user_id = $1")
        .bind(user)
        .execute(&mut **tx)
        .await?;
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| hash(user, c)).collect();
    sqlx::query("INSERT INTO mfa_backup_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])")
        .bind(user)
        .bind(hashes)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Uses up a code. True when it was valid and unused.
pub async fn redeem(tx: &mut TenantTx, user: UserId, code: &str) -> Result<bool, sqlx::Error> {
    if normalise(code).len() != 12 {
        return Ok(false);
    }
    let used = sqlx::query(
        "UPDATE mfa_backup_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user)
    .bind(hash(user, code))
    .execute(&mut **tx)
    .await?;
    Ok(used.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_readable_and_forgiving_to_type() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), COUNT);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 14 && c.chars().filter(|ch| *ch == '-').count() == 2)
        );
        let user = UserId::new();
        assert_eq!(hash(user, "ABCD-efgh-jkmn"), hash(user, "abcdefghjkmn"));
        assert_ne!(hash(user, "abcdefghjkmn"), hash(UserId::new(), "abcdefghjkmn"));
    }
}
