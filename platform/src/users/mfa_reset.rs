//! An administrator resets a user's MFA: their authenticator and backup codes are forgotten,
//! their sessions end, and they get a one-time enrolment token, the step the administrator
//! controls before anyone can enrol where the tenant requires MFA (see `auth::mfa::enrolment`).

use super::codes::UserCode;
use super::lookup::{not_found, visible};
use super::manager::Manager;
use super::model::find;
use super::roles_check::{ensure_grantable, role_capabilities};
use crate::access::MetaCap;
use crate::audit::{self, Actor, AuditEvent, Outcome};
use crate::auth::sessions::revoke_others;
use crate::http::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret as _;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use tenants::{TenantTx, UserId};
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

/// Resets user `id`'s MFA as `me` (edit_users; never oneself; 404 for a user `me` may not
/// see), with the trust score user management needs, and issues the enrolment token.
pub async fn reset(tx: &mut TenantTx, by: Manager<'_>, id: UserId) -> ApiResult<EnrolmentToken> {
    let Manager { me, client, .. } = by;
    visible(tx, me, id).await?;
    if id == me.user_id {
        return Err(ApiError::of(
            UserCode::OwnMfa,
            "another administrator resets your MFA: it must not rest on the factor being reset",
        ));
    }
    me.require_meta(MetaCap::EditUser(id))?;
    // Resetting someone's second factor hands out their enrolment: only over users whose
    // capabilities the actor holds all of (an editor with edit_users resets no administrator).
    let target = find(tx, id).await?.ok_or_else(not_found)?;
    let theirs = role_capabilities(tx, &target.roles).await.unwrap_or_default();
    ensure_grantable(me, &theirs)?;
    by.enforce_trust(tx).await?;
    let token = tenants::new_setup_token();
    let hash = Sha256::digest(token.expose_secret().as_bytes()).to_vec();
    let expires_at = forget_factors(tx, id, hash).await?;
    let sessions_ended = revoke_others(tx, id, None, "mfa_reset").await?;
    let event = AuditEvent::new("mfa.reset", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"sessions_ended": sessions_ended, "token_expires_at": expires_at}));
    audit::append(tx, &event, client).await?;
    Ok(EnrolmentToken {
        enrolment_token: token.expose_secret().to_owned(),
        expires_at,
        sessions_ended,
    })
}

/// Removes the user's TOTP secret (pending or enabled) and backup codes and stores the hash
/// of their new enrolment token; returns when it expires.
async fn forget_factors(tx: &mut TenantTx, id: UserId, token_hash: Vec<u8>) -> ApiResult<DateTime<Utc>> {
    let expires_at: DateTime<Utc> = sqlx::query_scalar(
        "UPDATE users SET mfa_secret = NULL, mfa_pending_secret = NULL, mfa_enabled_at = NULL, totp_last_step = NULL, \
           mfa_enrolment_token_hash = $2, mfa_enrolment_token_expires_at = now() + make_interval(secs => $3), \
           updated_at = now() \
         WHERE id = $1 RETURNING mfa_enrolment_token_expires_at",
    )
    .bind(id)
    .bind(token_hash)
    .bind(ENROLMENT_TOKEN_TTL.as_secs_f64())
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM mfa_backup_codes WHERE user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(expires_at)
}
