use crate::auth::codes::AuthCode;
use crate::http::extract::Json;
use crate::http::site::CurrentTenant;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tenants::password::{Password, hash_password};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The one-time setup token returned when the tenant was created without a password.
    pub token: String,
    /// The administrator's new password (at least 12 characters).
    #[schema(value_type = crate::openapi::NewPassword)]
    pub password: String,
}

/// Set the first password with a one-time setup token.
///
/// The token is consumed: a second use fails. Expired tokens (after 72 hours) fail too.
#[utoipa::path(
    post, path = "/api/v1/auth/setup", tag = "auth",
    request_body = SetupRequest,
    responses(
        (status = 204, description = "Password set; sign in with it"),
        (status = 401, description = "Unknown, used or expired token", body = Problem),
        (status = 422, description = "Password too weak", body = Problem),
    )
)]
pub async fn setup(
    State(state): State<AppState>,
    CurrentTenant(tenant): CurrentTenant,
    Json(request): Json<SetupRequest>,
) -> ApiResult<StatusCode> {
    let password = Password::parse(SecretString::from(request.password))?;
    let token_hash = Sha256::digest(request.token.as_bytes()).to_vec();
    let hash = hash_password(&password).await?;
    let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $2, setup_token_hash = NULL, setup_token_expires_at = NULL, status = CASE WHEN status = 'invited' THEN 'active' ELSE status END, password_changed_at = now(), updated_at = now() \
         WHERE setup_token_hash = $1 AND setup_token_expires_at > now()",
    )
    .bind(token_hash)
    .bind(hash)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(ApiError::of(
            AuthCode::InvalidSetupToken,
            "the setup token is unknown, used or expired",
        ));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
