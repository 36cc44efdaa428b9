//! You: your profile and your password.

use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Json;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::model::UserView;
use crate::users::password::{self, PasswordChange};
use crate::users::patch::{UserPatch, apply_patch};
use crate::users::profile::{self, Me};
use axum::extract::State;
use axum::http::StatusCode;

/// Who you are, with your capabilities.
#[utoipa::path(
    get, path = "/api/v1/users/me", tag = "users",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "You", body = Me),
        (status = 401, description = "No valid token", body = Problem),
    )
)]
pub async fn get_me(State(state): State<AppState>, user: TenantUser) -> ApiResult<axum::Json<Me>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load_during_enrolment(&mut tx, user.subject()).await?;
    let view = profile::read(&mut tx, &me).await?;
    tx.commit().await?;
    Ok(axum::Json(view))
}

/// Update your own profile (display name, e-mail, registry).
#[utoipa::path(
    patch, path = "/api/v1/users/me", tag = "users",
    security(("tenant_token" = [])),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 409, description = "E-mail or registry already used", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
pub async fn update_me(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(patch): Json<UserPatch>,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let view = apply_patch(&mut tx, &me, me.user_id, patch, &client).await?;
    tx.commit().await?;
    Ok(axum::Json(view))
}

/// Change your password. Every other session of yours ends; this one goes on.
#[utoipa::path(
    post, path = "/api/v1/users/me/password", tag = "users",
    security(("tenant_token" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; other sessions ended"),
        (status = 403, description = "The current password is wrong", body = Problem),
        (status = 422, description = "The new password is too weak", body = Problem),
        (status = 429, description = "Too many wrong passwords for this account (sign-in's budget); see Retry-After", body = Problem),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(body): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    let change = password::check(body)?;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    if let Err(wrong) = password::change(&mut tx, &state.limiter, &user.tenant, &me, &client, change).await? {
        return Err(wrong
            .record(tx, state.tenancy.pool(), &user.tenant.scope(), &client)
            .await);
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
