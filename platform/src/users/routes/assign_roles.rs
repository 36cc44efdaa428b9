//! Setting a user's roles.

use super::as_manager::as_manager;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::model::UserView;
use crate::users::role_assignment::{self, RoleAssignment};
use axum::extract::State;
use tenants::UserId;

/// Set a user's roles (promote_user: promote_users, never yourself, and only roles whose
/// capabilities you hold, both the ones given and the ones taken away).
#[utoipa::path(
    put, path = "/api/v1/users/{id}/roles", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    request_body = RoleAssignment,
    responses(
        (status = 200, description = "Roles set", body = UserView),
        (status = 403, description = "Needs promote_users; or it is you; or a capability you lack", body = Problem),
        (status = 404, description = "No such user", body = Problem),
        (status = 422, description = "Unknown role", body = Problem),
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
    Json(body): Json<RoleAssignment>,
) -> ApiResult<axum::Json<UserView>> {
    let view = as_manager(&state, &user, &client, async |tx, by| {
        role_assignment::assign(tx, by, id, body).await
    })
    .await?;
    Ok(axum::Json(view))
}
