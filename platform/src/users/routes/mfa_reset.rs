//! An administrator resets a user's MFA: their authenticator and backup codes are forgotten,
//! their sessions end, and they get a one-time enrolment token, the step the administrator
//! controls before anyone can enrol where the tenant requires MFA (see `auth::mfa::routes`).

use crate::access::{MetaCap, Principal};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::sessions::revoke_others;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Path;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::users::codes::UserCode;
use crate::users::lookup::visible;
use axum::extract::State;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret as _;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use tenants::UserId;
use utoipa::ToSchema;

/// How long an enrolment token stays valid.
pub const ENROLMENT_TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(72 * 3600);

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentToken {
    /// Give it to the user, out of band: they send it to `POST /api/v1/auth/mfa/totp`. Shown
    /// this once; single use.
    pub enrolment_token: String,
    pub expires_at: DateTime<Utc>,
    /// The user's sessions that were ended.
    pub sessions_ended: u64,
}

/// Reset a user's MFA and issue them an enrolment token (edit_users; never yourself).
///
/// Their TOTP secret and backup codes are removed and every session of theirs ends. Where the
/// tenant requires MFA for their role, enrolling again needs the token returned here.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/mfa/reset", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Reset; hand the token to the user", body = EnrolmentToken),
        (status = 403, description = "Needs edit_users; or it is you", body = Problem),
        (status = 404, description = "No such user", body = Problem),
    )
)]
pub async fn reset(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
) -> ApiResult<axum::Json<EnrolmentToken>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    visible(&mut tx, &me, id).await?;
    if id == me.user_id {
        return Err(ApiError::of(
            UserCode::OwnMfa,
            "another administrator resets your MFA: it must not rest on the factor being reset",
        ));
    }
    me.require_meta(MetaCap::EditUser(id))?;
    // Resetting someone's second factor hands out their enrolment: only over users whose
    // capabilities the actor holds all of (an editor with edit_users resets no administrator).
    let target = crate::users::model::find(&mut tx, id)
        .await?
        .ok_or_else(crate::users::lookup::not_found)?;
    let theirs = crate::users::roles_check::role_capabilities(&mut tx, &target.roles)
        .await
        .unwrap_or_default();
    crate::users::roles_check::ensure_grantable(&me, &theirs)?;
    crate::access::trust::engine::enforce_manage_users(&state.trust, &mut tx, &user.tenant.scope(), &me, &client)
        .await?;
    let token = tenants::new_setup_token();
    let hash = Sha256::digest(token.expose_secret().as_bytes()).to_vec();
    let expires_at: DateTime<Utc> = sqlx::query_scalar(
        "UPDATE users SET mfa_secret = NULL, mfa_pending_secret = NULL, mfa_enabled_at = NULL, totp_last_step = NULL, \
           mfa_enrolment_token_hash = $2, mfa_enrolment_token_expires_at = now() + make_interval(secs => $3), \
           updated_at = now() \
         WHERE id = $1 RETURNING mfa_enrolment_token_expires_at",
    )
    .bind(id)
    .bind(hash)
    .bind(ENROLMENT_TOKEN_TTL.as_secs_f64())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM mfa_backup_codes WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let sessions_ended = revoke_others(&mut tx, id, None, "mfa_reset").await?;
    let event = AuditEvent::new("mfa.reset", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"sessions_ended": sessions_ended, "token_expires_at": expires_at}));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    Ok(axum::Json(EnrolmentToken {
        enrolment_token: token.expose_secret().to_owned(),
        expires_at,
        sessions_ended,
    }))
}
