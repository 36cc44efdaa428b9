//! Verifying a user's professional registration.

use super::as_manager::as_manager;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::model::UserView;
use crate::users::registry_verification::{self, RegistryVerdict};
use axum::extract::State;
use tenants::UserId;

/// Record that a user's professional registration was checked (manage_compliance).
#[utoipa::path(
    post, path = "/api/v1/users/{id}/registry/verify", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    request_body = RegistryVerdict,
    responses(
        (status = 200, description = "Recorded", body = UserView),
        (status = 403, description = "Needs manage_compliance", body = Problem),
        (status = 404, description = "No such user", body = Problem),
        (status = 409, description = "The user has no registration", body = Problem),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
    Json(body): Json<RegistryVerdict>,
) -> ApiResult<axum::Json<UserView>> {
    let view = as_manager(&state, &user, &client, async |tx, by| {
        registry_verification::verify(tx, by, id, body).await
    })
    .await?;
    Ok(axum::Json(view))
}
