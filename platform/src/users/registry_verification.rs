//! Recording that a user's professional registration was checked, or withdrawing that.

use super::codes::UserCode;
use super::lookup::not_found;
use super::manager::Manager;
use super::model::{UserView, find};
use crate::access::builtin_roles::MANAGE_COMPLIANCE;
use crate::audit::{self, Actor, AuditEvent, Outcome};
use crate::http::{ApiError, ApiResult};
use serde::Deserialize;
use tenants::{TenantTx, UserId};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryVerdict {
    /// True: checked against the council's register. False: withdraw the verification.
    pub verified: bool,
}

/// Records `verdict` on user `id`'s registration as `me` (manage_compliance, with the trust
/// score user management needs; 404 for no such user, 409 when they have no registration).
pub async fn verify(tx: &mut TenantTx, by: Manager<'_>, id: UserId, verdict: RegistryVerdict) -> ApiResult<UserView> {
    let Manager { me, client, .. } = by;
    me.require(MANAGE_COMPLIANCE)?;
    by.enforce_trust(tx).await?;
    let current = find(tx, id).await?.ok_or_else(not_found)?;
    let Some(registry) = current.registry else {
        return Err(ApiError::of(
            UserCode::NoRegistry,
            "this user has no professional registration to verify",
        ));
    };
    sqlx::query(
        "UPDATE users SET registry_verified = $2, registry_verified_at = CASE WHEN $2 THEN now() END, \
         updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(verdict.verified)
    .execute(&mut **tx)
    .await?;
    let event = AuditEvent::new(
        "user.registry_verify",
        Outcome::Success,
        Actor::User(*me.user_id.as_uuid()),
    )
    .resource("user", id)
    .details(serde_json::json!({
        "verified": verdict.verified,
        "registry": format!("{} {}/{}", registry.kind, registry.number, registry.state),
    }));
    audit::append(tx, &event, client).await?;
    find(tx, id).await?.ok_or_else(not_found)
}
