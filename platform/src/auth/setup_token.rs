//! One-time setup tokens: the first password of an administrator made without one, or of an
//! invited user. Only the token's SHA-256 is stored; it works once, until it expires.

use crate::auth::codes::AuthCode;
use crate::http::{ApiError, ApiResult};
use sha2::{Digest, Sha256};
use tenants::TenantTx;

/// Sets the password (already hashed) of the user the token was issued to, consuming the
/// token and activating an invited user: 401 `invalid_setup_token` for a token unknown, used
/// or expired.
pub async fn set_first_password(tx: &mut TenantTx, token: &str, password_hash: String) -> ApiResult<()> {
    let token_hash = Sha256::digest(token.as_bytes()).to_vec();
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $2, setup_token_hash = NULL, setup_token_expires_at = NULL, status = CASE WHEN status = 'invited' THEN 'active' ELSE status END, password_changed_at = now(), updated_at = now() \
         WHERE setup_token_hash = $1 AND setup_token_expires_at > now()",
    )
    .bind(token_hash)
    .bind(password_hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(ApiError::of(
            AuthCode::InvalidSetupToken,
            "the setup token is unknown, used or expired",
        ));
    }
    Ok(())
}
