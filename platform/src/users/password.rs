//! Changing one's own password: the current one is checked against sign-in's budget, and
//! every other session ends.

use crate::access::Principal;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::brute_force;
use crate::auth::sessions::revoke_others;
use crate::http::{ApiError, ApiResult};
use crate::limits::RateLimiter;
use crate::users::codes::UserCode;
use secrecy::SecretString;
use serde::Deserialize;
use sqlx::PgPool;
use tenants::password::{Password, hash_password, verify_password};
use tenants::{Tenant, TenantScope, TenantTx, UserId};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters.
    #[schema(value_type = crate::openapi::NewPassword)]
    pub new_password: String,
}

/// A [`PasswordChange`] whose new password was checked.
pub struct CheckedChange {
    current: String,
    new: Password,
}

/// Checks the new password (422 when too weak), before any database work.
pub fn check(body: PasswordChange) -> ApiResult<CheckedChange> {
    Ok(CheckedChange {
        new: Password::parse(SecretString::from(body.new_password))?,
        current: body.current_password,
    })
}

/// The current password given was wrong. The failure is recorded on a connection of its
/// own, once the transaction that checked it is released ([`WrongCurrentPassword::record`]).
#[must_use = "record the failure and answer with the error it returns"]
pub struct WrongCurrentPassword {
    user: UserId,
}

impl WrongCurrentPassword {
    /// Releases `tx` (nothing of it is kept), then records the failure: never a second
    /// connection of the pool while the transaction is held. The answer to send is returned.
    pub async fn record(self, tx: TenantTx, pool: &PgPool, scope: &TenantScope, client: &ClientContext) -> ApiError {
        drop(tx);
        let event = AuditEvent::new("user.password", Outcome::Failure, Actor::User(*self.user.as_uuid()))
            .details(serde_json::json!({"reason": "wrong_current_password"}));
        match audit::record(pool, scope, &event, client).await {
            Ok(_) => ApiError::of(UserCode::WrongPassword, "the current password is wrong"),
            Err(e) => e.into(),
        }
    }
}

/// Changes `me`'s password when the current one is right; every other session of theirs
/// ends, this one goes on. A wrong current password is the inner `Err`, to be recorded.
pub async fn change(
    tx: &mut TenantTx,
    limiter: &RateLimiter,
    tenant: &Tenant,
    me: &Principal,
    client: &ClientContext,
    request: CheckedChange,
) -> ApiResult<Result<(), WrongCurrentPassword>> {
    let (stored, email): (Option<String>, String) =
        sqlx::query_as("SELECT password_hash, email FROM users WHERE id = $1")
            .bind(me.user_id)
            .fetch_one(&mut **tx)
            .await?;
    // The same budget as sign-in: a held session must not guess the password without limit.
    let charged = brute_force::before_secret_check(limiter, tenant, &email).await?;
    if request.current.len() > Password::MAX_BYTES || !verify_password(stored, &request.current).await {
        return Ok(Err(WrongCurrentPassword { user: me.user_id }));
    }
    charged.refund(limiter).await;
    let hash = hash_password(&request.new).await?;
    sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1")
        .bind(me.user_id)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    let ended = revoke_others(tx, me.user_id, Some(me.session_id), "password_changed").await?;
    let event = AuditEvent::new("user.password", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .details(serde_json::json!({"sessions_ended": ended}));
    audit::append(tx, &event, client).await?;
    Ok(Ok(()))
}
