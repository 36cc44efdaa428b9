//! Checking a second factor: a TOTP code, or else a backup code.

use super::{backup_codes, totp};
use crate::http::{ApiError, ApiResult};
use tenants::keyring::{FieldCipher, FieldRef};
use tenants::{TenantTx, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    BackupCode,
}

impl Factor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::BackupCode => "backup_code",
        }
    }
}

pub fn secret_field(user: &str) -> FieldRef<'_> {
    FieldRef::new("users", "mfa_secret", user)
}

pub fn pending_field(user: &str) -> FieldRef<'_> {
    FieldRef::new("users", "mfa_pending_secret", user)
}

/// Checks `code` against the user's enrolled factors and uses it up. `None`: not valid.
pub async fn check(tx: &mut TenantTx, cipher: &FieldCipher, user: UserId, code: &str) -> ApiResult<Option<Factor>> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        let row: Option<(Option<Vec<u8>>, Option<i64>)> =
            sqlx::query_as("SELECT mfa_secret, totp_last_step FROM users WHERE id = $1 AND mfa_enabled_at IS NOT NULL")
                .bind(user)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((Some(sealed), last_step)) = row else {
            return Ok(None);
        };
        let id = user.to_string();
        let secret = cipher.decrypt(secret_field(&id), &sealed).map_err(ApiError::internal)?;
        let Some(step) = totp::accept(&secret, code, last_step, totp::unix_now()) else {
            return Ok(None);
        };
        // Two requests with one code: only the first moves the step forward.
        let moved = sqlx::query(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(user)
        .bind(step)
        .execute(&mut **tx)
        .await?;
        return Ok((moved.rows_affected() == 1).then_some(Factor::Totp));
    }
    Ok(backup_codes::redeem(tx, user, code)
        .await?
        .then_some(Factor::BackupCode))
}
