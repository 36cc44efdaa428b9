use super::login::TokenPair;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::codes::AuthCode;
use crate::auth::sessions::{self, Refreshed};
use crate::http::extract::Json;
use crate::http::site::CurrentTenant;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// Each refresh token works once. Presenting one that was already exchanged means a copy
/// exists somewhere: the whole session is revoked, and both holders must sign in again.
#[utoipa::path(
    post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "The next pair", body = TokenPair),
        (status = 401, description = "Unknown, used or expired refresh token; or an ended session", body = Problem),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    CurrentTenant(tenant): CurrentTenant,
    client: ClientContext,
    Json(request): Json<RefreshRequest>,
) -> ApiResult<axum::Json<TokenPair>> {
    let pool = state.tenancy.pool();
    let mut tx = tenant.scope().begin(pool).await?;
    match sessions::refresh(&mut tx, &request.refresh_token, state.session_limits).await? {
        Refreshed::Rotated {
            session_id,
            user_id,
            refresh_token,
        } => {
            tx.commit().await?;
            let issued = state
                .tokens
                .issue_tenant_access(tenant.id, user_id, session_id)
                .map_err(ApiError::internal)?;
            Ok(axum::Json(TokenPair {
                access_token: issued.token,
                token_type: "Bearer",
                expires_in: issued.expires_in,
                refresh_token,
                session_id,
            }))
        }
        Refreshed::Reused { session_id, user_id } => {
            let event = AuditEvent::new("session.revoke", Outcome::Success, Actor::System)
                .resource("session", session_id)
                .details(serde_json::json!({"reason": "refresh_token_reused", "user_id": user_id}));
            audit::append(&mut tx, &event, &client).await?;
            tx.commit().await?;
            tracing::warn!(session.id = %session_id, "a used refresh token was presented again; session revoked");
            Err(ApiError::of(
                AuthCode::RefreshTokenReused,
                "this refresh token was already used; the session is revoked",
            ))
        }
        Refreshed::Refused => Err(ApiError::of(
            AuthCode::InvalidRefreshToken,
            "the refresh token is unknown or its session has ended",
        )),
    }
}
