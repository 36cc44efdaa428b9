//! The operator API, served only on the bare base domain.

pub mod auth;
pub mod domains;
pub mod keys;
pub mod operators;
pub mod signing_keys;
pub mod tenants;
pub mod views;

use crate::app::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(crate::plugins::catalogue::list, crate::plugins::catalogue::add))
        .routes(routes!(crate::plugins::catalogue::remove))
        .routes(routes!(auth::login))
        .routes(routes!(tenants::create, tenants::list))
        .routes(routes!(tenants::get, tenants::delete))
        .routes(routes!(tenants::suspend))
        .routes(routes!(tenants::resume))
        .routes(routes!(keys::rotate))
        .routes(routes!(keys::rewrap))
        .routes(routes!(keys::destroy))
        .routes(routes!(domains::add))
        .routes(routes!(domains::remove))
        .routes(routes!(signing_keys::rotate))
}
