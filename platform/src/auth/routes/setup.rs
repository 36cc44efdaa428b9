use crate::auth::setup_token;
use crate::http::extract::Json;
use crate::http::site::CurrentTenant;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::Deserialize;
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
    let hash = hash_password(&password).await?;
    let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
    setup_token::set_first_password(&mut tx, &request.token, hash).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
