//! Tenant sign-in and token handling. The identity issue builds sessions, MFA and roles on it.

pub mod extract;
pub mod jwks;
pub mod login;
pub mod setup;
pub mod signing_keys;
pub mod tokens;

use crate::app::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login::login))
        .routes(routes!(setup::setup))
        .routes(routes!(jwks::jwks))
}
