use crate::access::{MetaCap, Principal};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::sessions::revoke_others;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Path;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::users::codes::UserCode;
use crate::users::lookup::{not_found, visible};
use crate::users::model::{UserView, find};
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
    set_status(state, user, client, id, "disabled").await
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
    set_status(state, user, client, id, "active").await
}

async fn set_status(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    id: UserId,
    status: &'static str,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    visible(&mut tx, &me, id).await?;
    me.require_meta(MetaCap::DeleteUser(id))?;
    crate::access::trust::engine::enforce_manage_users(&state.trust, &mut tx, &user.tenant.scope(), &me, &client)
        .await?;
    let updated = sqlx::query("UPDATE users SET status = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(&mut *tx)
        .await;
    match updated {
        Err(e) if e.as_database_error().and_then(|d| d.constraint()) == Some("users_can_sign_in_somehow") => {
            return Err(ApiError::of(
                UserCode::NoCredentials,
                "this user never set a password; invite them again",
            ));
        }
        other => other?,
    };
    let ended = if status == "disabled" {
        revoke_others(&mut tx, id, None, "user_deactivated").await?
    } else {
        0
    };
    let action = if status == "disabled" {
        "user.deactivate"
    } else {
        "user.activate"
    };
    let event = AuditEvent::new(action, Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"sessions_ended": ended}));
    audit::append(&mut tx, &event, &client).await?;
    let view = find(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(axum::Json(view))
}
