use crate::auth::extract::Operator;
use crate::auth::signing_keys::Purpose;
use crate::http::extract::Json;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSigningKey {
    /// `tenant` (tenant access tokens, published in JWKS) or `ops` (operator tokens).
    #[schema(value_type = String, pattern = "^(tenant|ops)$")]
    pub purpose: Purpose,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSigningKey {
    /// The new key's id; new tokens carry it as `kid`.
    pub kid: String,
}

/// Rotate a token signing key, without downtime.
///
/// The current key stops signing but keeps verifying (tokens live 15 minutes at most); it is
/// removed a day later, at the next rotation. Every instance learns of the new key at once.
#[utoipa::path(
    post, path = "/api/ops/v1/signing-keys/rotate", tag = "ops",
    security(("ops_token" = [])),
    request_body = RotateSigningKey,
    responses(
        (status = 200, description = "Rotated", body = RotatedSigningKey),
        (status = 422, description = "Unknown purpose", body = Problem),
    )
)]
pub async fn rotate(
    State(state): State<AppState>,
    operator: Operator,
    Json(body): Json<RotateSigningKey>,
) -> ApiResult<axum::Json<RotatedSigningKey>> {
    if body.purpose == Purpose::Audit {
        return Err(ApiError::invalid_field(
            "purpose",
            "audit checkpoint keys are not rotated: old checkpoints must verify",
        ));
    }
    let kid = state.tokens.rotate(body.purpose).await.map_err(ApiError::internal)?;
    tracing::info!(operator.id = %operator.id, key.kid = %kid, "operator rotated a signing key");
    Ok(axum::Json(RotatedSigningKey { kid }))
}
