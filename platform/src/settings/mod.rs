//! Tenant settings: the first tenant resource, administrators only.

pub mod model;
pub mod routes;

use crate::app::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(routes::get_settings, routes::put_settings))
}
