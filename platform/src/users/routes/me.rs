use crate::access::Principal;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::sessions::revoke_others;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Json;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::users::codes::UserCode;
use crate::users::lookup::not_found;
use crate::users::model::UserView;
use crate::users::patch::{UserPatch, apply_patch};
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tenants::password::{Password, hash_password, verify_password};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: UserView,
    /// Every capability your roles give you, sorted.
    pub capabilities: Vec<String>,
    /// The tenant requires MFA for your role and this session has none: enrol first.
    pub mfa_enrolment_required: bool,
}

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
    let view = crate::users::model::find(&mut tx, me.user_id)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    let mut capabilities: Vec<String> = me.capabilities().map(str::to_owned).collect();
    capabilities.sort();
    let mfa_enrolment_required = me.mfa_required_by_policy && !me.mfa;
    Ok(axum::Json(Me {
        user: view,
        capabilities,
        mfa_enrolment_required,
    }))
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters.
    #[schema(value_type = crate::openapi::NewPassword)]
    pub new_password: String,
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
    let new = Password::parse(SecretString::from(body.new_password))?;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let (stored, email): (Option<String>, String) =
        sqlx::query_as("SELECT password_hash, email FROM users WHERE id = $1")
            .bind(me.user_id)
            .fetch_one(&mut *tx)
            .await?;
    // The same budget as sign-in: a held session must not guess the password without limit.
    let charged = crate::auth::brute_force::before_secret_check(&state.limiter, &user.tenant, &email).await?;
    if body.current_password.len() > Password::MAX_BYTES || !verify_password(stored, &body.current_password).await {
        drop(tx);
        let event = AuditEvent::new("user.password", Outcome::Failure, Actor::User(*me.user_id.as_uuid()))
            .details(serde_json::json!({"reason": "wrong_current_password"}));
        audit::record(state.tenancy.pool(), &user.tenant.scope(), &event, &client).await?;
        return Err(ApiError::of(UserCode::WrongPassword, "the current password is wrong"));
    }
    charged.refund(&state.limiter).await;
    let hash = hash_password(&new).await?;
    sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1")
        .bind(me.user_id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    let ended = revoke_others(&mut tx, me.user_id, Some(me.session_id), "password_changed").await?;
    let event = AuditEvent::new("user.password", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .details(serde_json::json!({"sessions_ended": ended}));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
