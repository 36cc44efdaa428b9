//! Creating or inviting a user.

use super::as_manager::as_manager;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Json;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::invite::{self, CreatedUser, NewUser};
use axum::extract::State;
use axum::http::StatusCode;

/// Create or invite a user (create_users).
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users",
    security(("tenant_token" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = CreatedUser),
        (status = 403, description = "Needs create_users (and promote_users to choose roles), and only grants what the caller holds", body = Problem),
        (status = 409, description = "E-mail or registry already used", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(body): Json<NewUser>,
) -> ApiResult<(StatusCode, axum::Json<CreatedUser>)> {
    let new = invite::check(body)?;
    let created = as_manager(&state, &user, &client, async |tx, by| invite::create(tx, by, new).await).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}
