//! Deactivating and activating users.

use super::as_manager::as_manager;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Path;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::model::UserView;
use crate::users::status::{self, NewStatus};
use axum::extract::State;
use tenants::UserId;

/// Deactivate a user: they cannot sign in and their sessions end now (delete_users; never
/// yourself). Users are never erased, so the audit trail keeps its actors.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/deactivate", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Deactivated", body = UserView),
        (status = 403, description = "Needs delete_users; or it is you", body = Problem),
        (status = 404, description = "No such user", body = Problem),
    )
)]
pub async fn deactivate(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
) -> ApiResult<axum::Json<UserView>> {
    set_status(state, user, client, id, NewStatus::Disabled).await
}

/// Let a deactivated user sign in again (delete_users).
#[utoipa::path(
    post, path = "/api/v1/users/{id}/activate", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Active again", body = UserView),
        (status = 403, description = "Needs delete_users", body = Problem),
        (status = 404, description = "No such user", body = Problem),
        (status = 409, description = "The user never set a password", body = Problem),
    )
)]
pub async fn activate(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
) -> ApiResult<axum::Json<UserView>> {
    set_status(state, user, client, id, NewStatus::Active).await
}

async fn set_status(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    id: UserId,
    new: NewStatus,
) -> ApiResult<axum::Json<UserView>> {
    let view = as_manager(&state, &user, &client, async |tx, by| {
        status::set(tx, by, id, new).await
    })
    .await?;
    Ok(axum::Json(view))
}
