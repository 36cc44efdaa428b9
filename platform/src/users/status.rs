//! Deactivating a user, or letting them sign in again. Users are never erased, so the audit
//! trail keeps its actors.

use super::codes::UserCode;
use super::lookup::{not_found, visible};
use super::manager::Manager;
use super::model::{UserView, find};
use crate::access::MetaCap;
use crate::audit::{self, Actor, AuditEvent, Outcome};
use crate::auth::sessions::revoke_others;
use crate::http::{ApiError, ApiResult};
use tenants::{TenantTx, UserId};

/// The status a user is moved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewStatus {
    /// Signs in again.
    Active,
    /// Cannot sign in; their sessions end now.
    Disabled,
}

impl NewStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    fn action(self) -> &'static str {
        match self {
            Self::Active => "user.activate",
            Self::Disabled => "user.deactivate",
        }
    }
}

/// Sets user `id`'s status as `me` (delete_users; 404 for a user `me` may not see), with the
/// trust score user management needs. Activating a user who never set a password is 409.
pub async fn set(tx: &mut TenantTx, by: Manager<'_>, id: UserId, status: NewStatus) -> ApiResult<UserView> {
    let Manager { me, client, .. } = by;
    visible(tx, me, id).await?;
    me.require_meta(MetaCap::DeleteUser(id))?;
    by.enforce_trust(tx).await?;
    let updated = sqlx::query("UPDATE users SET status = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .execute(&mut **tx)
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
    let ended = if status == NewStatus::Disabled {
        revoke_others(tx, id, None, "user_deactivated").await?
    } else {
        0
    };
    let event = AuditEvent::new(status.action(), Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"sessions_ended": ended}));
    audit::append(tx, &event, client).await?;
    find(tx, id).await?.ok_or_else(not_found)
}
