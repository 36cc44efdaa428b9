//! Changing a user's name, e-mail or professional registry.

use super::lookup::{not_found, visible};
use super::model::{Registry, UserView, conflicts, find, valid_display_name};
use crate::access::builtin_roles::MANAGE_COMPLIANCE;
use crate::access::{MetaCap, Principal};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::{ApiError, ApiResult, FieldError};
use serde::Deserialize;
use tenants::{Email, TenantTx, UserId};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub display_name: Option<String>,
    #[schema(value_type = Option<crate::openapi::EmailAddress>)]
    pub email: Option<String>,
    /// Set or replace the professional registry; `verified` needs manage_compliance. `null`
    /// removes it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<Registry>)]
    pub registry: Option<Option<Registry>>,
}

/// Distinguishes an absent field (leave as is) from `null` (remove).
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Applies a patch as `me`: to oneself, or to a user `me` may see and holds `edit_users`
/// over (404 and 403 otherwise).
pub async fn apply_patch(
    tx: &mut TenantTx,
    me: &Principal,
    id: UserId,
    patch: UserPatch,
    client: &ClientContext,
) -> ApiResult<UserView> {
    let current = visible(tx, me, id).await?;
    me.require_meta(MetaCap::EditUser(id))?;
    let email = validate(&patch)?;
    let (registry_changed, verified) = registry_change(me, &patch, &current)?;
    write(tx, id, &patch, email.as_ref(), registry_changed, verified).await?;
    let changed: Vec<&str> = [
        patch.display_name.as_ref().map(|_| "display_name"),
        patch.email.as_ref().map(|_| "email"),
        patch.registry.as_ref().map(|_| "registry"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let event = AuditEvent::new("user.update", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"fields": changed}));
    audit::append(tx, &event, client).await?;
    find(tx, id).await?.ok_or_else(not_found)
}

/// Every field's problems at once (422), or the new e-mail address, parsed.
fn validate(patch: &UserPatch) -> ApiResult<Option<Email>> {
    let mut errors = Vec::new();
    if patch.display_name.as_deref().is_some_and(|n| !valid_display_name(n)) {
        errors.push(FieldError {
            field: "display_name".into(),
            message: "1 to 200 characters".into(),
        });
    }
    let email = match &patch.email {
        Some(e) => Email::parse(e).map(Some).unwrap_or_else(|err| {
            errors.push(FieldError {
                field: "email".into(),
                message: err.to_string(),
            });
            None
        }),
        None => None,
    };
    if let Some(Some(registry)) = &patch.registry {
        errors.extend(registry.validate());
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(email)
}

/// Whether the registry changes, and whether it ends verified; verifying (or keeping a
/// verification on a changed registration) needs manage_compliance.
fn registry_change(me: &Principal, patch: &UserPatch, current: &UserView) -> ApiResult<(bool, bool)> {
    Ok(match &patch.registry {
        None => (false, current.registry.as_ref().is_some_and(|r| r.verified)),
        Some(new) => {
            let same_registration = match (new, &current.registry) {
                (Some(n), Some(c)) => (&n.kind, &n.number, &n.state) == (&c.kind, &c.number, &c.state),
                (None, None) => true,
                _ => false,
            };
            let wants_verified = new.as_ref().is_some_and(|r| r.verified);
            let was_verified = current.registry.as_ref().is_some_and(|r| r.verified);
            // Verifying, or keeping a verification on a changed registration, is a compliance act.
            if wants_verified && (!was_verified || !same_registration) {
                me.require(MANAGE_COMPLIANCE)?;
            }
            (true, wants_verified)
        }
    })
}

async fn write(
    tx: &mut TenantTx,
    id: UserId,
    patch: &UserPatch,
    email: Option<&Email>,
    registry_changed: bool,
    verified: bool,
) -> ApiResult<()> {
    let registry = patch.registry.clone().flatten();
    sqlx::query(
        "UPDATE users SET display_name = coalesce($2, display_name), email = coalesce($3, email), \
         registry_type = CASE WHEN $4 THEN $5 ELSE registry_type END, \
         registry_number = CASE WHEN $4 THEN $6 ELSE registry_number END, \
         registry_state = CASE WHEN $4 THEN $7 ELSE registry_state END, \
         registry_verified = $8, \
         registry_verified_at = CASE WHEN NOT $8 THEN NULL WHEN $4 AND $8 AND NOT registry_verified THEN now() \
                                     ELSE registry_verified_at END, \
         updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(patch.display_name.as_deref().map(str::trim))
    .bind(email.map(Email::as_str))
    .bind(registry_changed)
    .bind(registry.as_ref().map(|r| &r.kind))
    .bind(registry.as_ref().map(|r| &r.number))
    .bind(registry.as_ref().map(|r| &r.state))
    .bind(verified)
    .execute(&mut **tx)
    .await
    .map_err(conflicts)?;
    Ok(())
}
