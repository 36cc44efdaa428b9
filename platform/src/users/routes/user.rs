//! One user: read and update.

use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::lookup::visible;
use crate::users::model::UserView;
use crate::users::patch::{UserPatch, apply_patch};
use axum::extract::State;
use tenants::UserId;

/// Show one user.
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 404, description = "No such user (or not visible to you)", body = Problem),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    user: TenantUser,
    Path(id): Path<UserId>,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let view = visible(&mut tx, &me, id).await?;
    tx.commit().await?;
    Ok(axum::Json(view))
}

/// Update a user (edit_user: yourself, or anyone with edit_users).
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 403, description = "Needs edit_users (manage_compliance to verify a registry)", body = Problem),
        (status = 404, description = "No such user", body = Problem),
        (status = 409, description = "E-mail or registry already used", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
    Json(patch): Json<UserPatch>,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let view = apply_patch(&mut tx, &me, id, patch, &client).await?;
    tx.commit().await?;
    Ok(axum::Json(view))
}
