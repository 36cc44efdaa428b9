use crate::app::AppState;
use axum::extract::State;

/// Public keys that verify this platform's tenant access tokens (JWKS, RFC 7517).
#[utoipa::path(
    get, path = "/.well-known/jwks.json", tag = "auth",
    responses((status = 200, description = "The JWKS document", body = Object))
)]
pub async fn jwks(State(state): State<AppState>) -> axum::Json<serde_json::Value> {
    axum::Json(state.tokens.tenant_jwks())
}
