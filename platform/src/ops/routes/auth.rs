use crate::audit::ClientContext;
use crate::auth::brute_force;
use crate::auth::codes::AuthCode;
use crate::http::extract::Json;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpsLoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpsLoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    pub expires_in: u64,
}

/// Sign in as a platform operator.
///
/// The token's audience is the operator API only: no tenant route accepts it.
#[utoipa::path(
    post, path = "/api/ops/v1/auth/login", tag = "ops",
    request_body = OpsLoginRequest,
    responses(
        (status = 200, description = "Signed in", body = OpsLoginResponse),
        (status = 401, description = "Wrong e-mail or password", body = Problem),
        (status = 429, description = "Too many attempts from this IP, or too many failures for this account; see Retry-After", body = Problem),
        (status = 503, description = "The rate limiter is unreachable: sign-in fails closed", body = Problem),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    client: ClientContext,
    Json(request): Json<OpsLoginRequest>,
) -> ApiResult<axum::Json<OpsLoginResponse>> {
    let wrong = || ApiError::of(AuthCode::InvalidCredentials, "the e-mail or password is wrong");
    if request.email.len() > 1024 || request.password.len() > 1024 {
        return Err(wrong());
    }
    let charged = brute_force::before_operator_attempt(&state.limiter, &client, &request.email).await?;
    let Some(id) = crate::ops::operators::authenticate(state.tenancy.pool(), &request.email, &request.password).await?
    else {
        tracing::warn!(ip = ?client.ip, "operator sign-in failed");
        return Err(wrong());
    };
    charged.refund(&state.limiter).await;
    let issued = state.tokens.issue_ops(id).map_err(ApiError::internal)?;
    tracing::info!(operator.id = %id, "operator signed in");
    Ok(axum::Json(OpsLoginResponse {
        access_token: issued.token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
    }))
}
