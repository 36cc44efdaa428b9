//! Setting a user's roles.

use super::lookup::{not_found, visible};
use super::manager::Manager;
use super::model::{UserView, find};
use super::roles_check::{ensure_grantable, role_capabilities};
use crate::access::MetaCap;
use crate::audit::{self, Actor, AuditEvent, Outcome};
use crate::http::ApiResult;
use serde::Deserialize;
use tenants::{TenantTx, UserId};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    /// The user's roles from now on (1 to 16).
    #[schema(min_items = 1, max_items = 16)]
    pub roles: Vec<String>,
}

/// Sets user `id`'s roles as `me` (promote_user: promote_users, never oneself, and only roles
/// whose capabilities `me` holds, both the ones given and the ones taken away; 404 for a user
/// `me` may not see, 422 for an unknown role), with the trust score user management needs.
pub async fn assign(tx: &mut TenantTx, by: Manager<'_>, id: UserId, assignment: RoleAssignment) -> ApiResult<UserView> {
    let Manager { me, client, .. } = by;
    let target = visible(tx, me, id).await?;
    me.require_meta(MetaCap::PromoteUser(id))?;
    let mut roles = assignment.roles;
    roles.sort();
    roles.dedup();
    let granted = role_capabilities(tx, &roles).await?;
    ensure_grantable(me, &granted)?;
    // Taking a role away is as powerful as giving it: an editor cannot demote an administrator.
    let current = role_capabilities(tx, &target.roles).await.unwrap_or_default();
    ensure_grantable(me, &current)?;
    by.enforce_trust(tx).await?;
    sqlx::query("UPDATE users SET roles = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(&roles)
        .execute(&mut **tx)
        .await?;
    let event = AuditEvent::new("user.roles", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"from": target.roles, "to": roles}));
    audit::append(tx, &event, client).await?;
    find(tx, id).await?.ok_or_else(not_found)
}
