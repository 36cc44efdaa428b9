//! The users API: list, create or invite, read, update, deactivate, assign roles, `me`.

pub mod assign_roles;
pub mod create;
pub mod list;
pub mod me;
pub mod mfa_reset;
pub mod model;
pub mod one;
pub mod registry;
pub mod roles_check;
pub mod status;

use crate::app::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::list, create::create))
        .routes(routes!(me::get_me, me::update_me))
        .routes(routes!(me::change_password))
        .routes(routes!(one::get, one::update))
        .routes(routes!(status::deactivate))
        .routes(routes!(status::activate))
        .routes(routes!(assign_roles::assign))
        .routes(routes!(registry::verify))
        .routes(routes!(mfa_reset::reset))
}
