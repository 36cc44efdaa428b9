//! Creating a user, or inviting one: without a password, the new user gets a one-time setup
//! token instead.

use super::manager::Manager;
use super::model::{Registry, UserView, conflicts, find, valid_display_name};
use super::roles_check::{ensure_grantable, role_capabilities};
use crate::audit::{self, Actor, AuditEvent, Outcome};
use crate::http::{ApiError, ApiResult, FieldError};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tenants::password::{Password, hash_password};
use tenants::{Email, TenantTx, UserId};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(value_type = crate::openapi::EmailAddress)]
    pub email: String,
    /// Omit to invite: the response then carries a one-time `setup_token` for the new user.
    #[schema(value_type = Option<crate::openapi::NewPassword>)]
    pub password: Option<String>,
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub display_name: String,
    /// One role (as WordPress's user form). Needs promote_users for anything but `subscriber`.
    /// Not with `roles`.
    pub role: Option<String>,
    /// Several roles at once (1 to 16); same rule.
    #[schema(min_items = 1, max_items = 16)]
    pub roles: Option<Vec<String>>,
    pub registry: Option<Registry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserView,
    /// Only for invitations, only in this response (valid 72 hours, single use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_token: Option<String>,
}

/// A [`NewUser`] whose fields were checked.
pub struct Checked {
    email: Email,
    password: Option<Password>,
    display_name: String,
    roles: Vec<String>,
    registry: Option<Registry>,
}

/// Checks every field at once: 422 with all their problems, before any database work.
pub fn check(body: NewUser) -> ApiResult<Checked> {
    let mut errors = Vec::new();
    let email = Email::parse(&body.email)
        .map_err(|e| errors.push(field("email", e)))
        .ok();
    let password = body
        .password
        .map(|p| Password::parse(SecretString::from(p)).map_err(|e| errors.push(field("password", e))))
        .transpose()
        .ok()
        .flatten();
    if !valid_display_name(&body.display_name) {
        errors.push(FieldError {
            field: "display_name".into(),
            message: "1 to 200 characters".into(),
        });
    }
    if let Some(registry) = &body.registry {
        errors.extend(registry.validate());
    }
    let roles = match (body.role, body.roles) {
        (Some(_), Some(_)) => {
            errors.push(FieldError {
                field: "roles".into(),
                message: "give role or roles, not both".into(),
            });
            Vec::new()
        }
        (Some(role), None) => vec![role],
        (None, Some(roles)) => roles,
        (None, None) => vec!["subscriber".to_owned()],
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    Ok(Checked {
        email,
        password,
        display_name: body.display_name,
        roles,
        registry: body.registry,
    })
}

/// Creates (or invites) the user as `me`: create_users, promote_users for any role but
/// `subscriber`, only capabilities `me` holds, manage_compliance for a verified registry,
/// and the trust score user management needs.
pub async fn create(tx: &mut TenantTx, by: Manager<'_>, new: Checked) -> ApiResult<CreatedUser> {
    let Manager { me, client, .. } = by;
    me.require("create_users")?;
    let capabilities = role_capabilities(tx, &new.roles).await?;
    if new.roles != ["subscriber"] {
        me.require("promote_users")?;
    }
    ensure_grantable(me, &capabilities)?;
    by.enforce_trust(tx).await?;
    let registry_verified = new.registry.as_ref().is_some_and(|r| r.verified);
    if registry_verified {
        me.require(crate::access::builtin_roles::MANAGE_COMPLIANCE)?;
    }

    let (password_hash, setup_token) = match &new.password {
        Some(p) => (Some(hash_password(p).await?), None),
        None => (None, Some(tenants::new_setup_token())),
    };
    let id = UserId::new();
    let token_hash = setup_token
        .as_ref()
        .map(|t| Sha256::digest(t.expose_secret().as_bytes()).to_vec());
    let registry = new.registry.as_ref();
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, setup_token_hash, setup_token_expires_at, roles, \
         status, registry_type, registry_number, registry_state, registry_verified, registry_verified_at) \
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 IS NULL THEN NULL ELSE now() + interval '72 hours' END, $6, \
         CASE WHEN $4 IS NULL THEN 'invited' ELSE 'active' END, $7, $8, $9, $10, CASE WHEN $10 THEN now() END)",
    )
    .bind(id)
    .bind(new.email.as_str())
    .bind(new.display_name.trim())
    .bind(password_hash)
    .bind(token_hash)
    .bind(&new.roles)
    .bind(registry.map(|r| &r.kind))
    .bind(registry.map(|r| &r.number))
    .bind(registry.map(|r| &r.state))
    .bind(registry_verified)
    .execute(&mut **tx)
    .await
    .map_err(conflicts)?;
    let event = AuditEvent::new("user.create", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"roles": new.roles, "invited": new.password.is_none()}));
    audit::append(tx, &event, client).await?;
    let user = find(tx, id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("user vanished")))?;
    Ok(CreatedUser {
        user,
        setup_token: setup_token.map(|t| t.expose_secret().to_owned()),
    })
}

fn field(name: &str, error: tenants::Error) -> FieldError {
    FieldError {
        field: name.into(),
        message: error.to_string(),
    }
}
