use crate::state::AppState;
use axum::extract::State;

/// Public keys that verify this platform's tenant access tokens (JWKS, RFC 7517).
#[utoipa::path(
    get, path = "/.well-known/jwks.json", tag = "auth",
    responses((status = 200, description = "The JWKS document", body = Object))
)]
pub async fn jwks(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    // Short enough that a key rotation reaches verifiers well before old tokens expire.
    let cache = [(axum::http::header::CACHE_CONTROL, "public, max-age=300")];
    (cache, axum::Json(state.tokens.tenant_jwks()))
}
