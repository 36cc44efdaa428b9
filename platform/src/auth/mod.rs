//! Tenant sign-in and token handling. The identity issue builds sessions, MFA and roles on it.

pub mod brute_force;
pub mod extract;
pub mod jwks;
pub mod jwt_crypto;
pub mod login;
pub mod mfa;
pub mod refresh;
pub mod session_routes;
pub mod sessions;
pub mod setup;
pub mod signing_keys;
pub mod tokens;

use crate::app::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login::login))
        .routes(routes!(refresh::refresh))
        .routes(routes!(crate::access::trust::routes::explain))
        .routes(routes!(mfa::routes::enrol, mfa::routes::disable))
        .routes(routes!(mfa::routes::confirm))
        .routes(routes!(session_routes::logout))
        .routes(routes!(session_routes::list))
        .routes(routes!(session_routes::revoke))
        .routes(routes!(setup::setup))
        .routes(routes!(jwks::jwks))
}
