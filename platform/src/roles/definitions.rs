//! The tenant's custom roles, as stored: listing them beside the built-in ones, defining,
//! redefining and retiring them. The caller has checked the definition and opened the
//! transaction as a user allowed to manage roles; what is checked here is what needs the
//! database (the role exists, nobody holds it) and that the user holds every capability a
//! change grants or takes away.

use crate::access::Principal;
use crate::access::builtin_roles::BUILTIN_ROLES;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::{ApiError, ApiResult, FieldError};
use crate::roles::codes::RoleCode;
use crate::users::roles_check::ensure_grantable;
use serde::Serialize;
use tenants::TenantTx;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    pub name: String,
    pub display_name: String,
    pub capabilities: Vec<String>,
    /// Defined by the platform; cannot be changed or deleted.
    pub builtin: bool,
}

/// A role definition that passed [`CheckedRole::check`]: a valid name, a display name of 1
/// to 100 characters (trimmed), at most 200 valid capability names, sorted and without
/// repeats.
pub struct CheckedRole {
    name: String,
    display_name: String,
    capabilities: Vec<String>,
}

const MAX_CAPABILITIES: usize = 200;

/// 1 to 64 of a-z, 0-9 and _, starting with a letter: a role's name, and a capability's.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl CheckedRole {
    /// Checks a definition of the role `name` (its name is checked by the caller, which
    /// knows whether it came in the path or the body): every field's problems at once (422).
    pub fn check(name: &str, display_name: &str, capabilities: &[String]) -> ApiResult<Self> {
        let mut errors = Vec::new();
        let chars = display_name.trim().chars().count();
        if !(1..=100).contains(&chars) {
            errors.push(FieldError {
                field: "display_name".into(),
                message: "1 to 100 characters".into(),
            });
        }
        if capabilities.len() > MAX_CAPABILITIES {
            errors.push(FieldError {
                field: "capabilities".into(),
                message: "at most 200".into(),
            });
        }
        for (i, cap) in capabilities.iter().enumerate() {
            if !valid_name(cap) {
                errors.push(FieldError {
                    field: format!("capabilities/{i}"),
                    message: "1 to 64 of a-z, 0-9 and _".into(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let mut capabilities = capabilities.to_vec();
        capabilities.sort();
        capabilities.dedup();
        Ok(Self {
            name: name.to_owned(),
            display_name: display_name.trim().to_owned(),
            capabilities,
        })
    }
}

impl From<CheckedRole> for RoleView {
    fn from(role: CheckedRole) -> Self {
        Self {
            name: role.name,
            display_name: role.display_name,
            capabilities: role.capabilities,
            builtin: false,
        }
    }
}

/// Every role: the built-in ones, then the tenant's own, by name.
pub async fn all(tx: &mut TenantTx) -> ApiResult<Vec<RoleView>> {
    let custom: Vec<(String, String, Vec<String>)> =
        sqlx::query_as("SELECT name, display_name, capabilities FROM roles ORDER BY name")
            .fetch_all(&mut **tx)
            .await?;
    let mut roles: Vec<RoleView> = BUILTIN_ROLES
        .iter()
        .map(|r| RoleView {
            name: r.name.into(),
            display_name: r.display_name.into(),
            capabilities: r.capabilities.iter().map(|c| (*c).to_owned()).collect(),
            builtin: true,
        })
        .collect();
    roles.extend(custom.into_iter().map(|(name, display_name, capabilities)| RoleView {
        name,
        display_name,
        capabilities,
        builtin: false,
    }));
    Ok(roles)
}

/// Defines a custom role of capabilities `me` holds (409 `role_exists` for a taken name).
pub async fn define(
    tx: &mut TenantTx,
    me: &Principal,
    client: &ClientContext,
    role: CheckedRole,
) -> ApiResult<RoleView> {
    ensure_grantable(me, &role.capabilities)?;
    let inserted = sqlx::query("INSERT INTO roles (name, display_name, capabilities) VALUES ($1, $2, $3)")
        .bind(&role.name)
        .bind(&role.display_name)
        .bind(&role.capabilities)
        .execute(&mut **tx)
        .await;
    if let Err(e) = &inserted
        && e.as_database_error().and_then(|d| d.constraint()) == Some("roles_pkey")
    {
        return Err(ApiError::of(
            RoleCode::RoleExists,
            format!("a role named {} already exists", role.name),
        ));
    }
    inserted?;
    let event = AuditEvent::new("role.create", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("role", &role.name)
        .details(serde_json::json!({"capabilities": role.capabilities}));
    audit::append(tx, &event, client).await?;
    Ok(role.into())
}

/// Redefines a custom role; `me` must hold every capability it had and every one it gets.
pub async fn redefine(
    tx: &mut TenantTx,
    me: &Principal,
    client: &ClientContext,
    role: CheckedRole,
) -> ApiResult<RoleView> {
    let current = custom_role(tx, &role.name).await?.ok_or_else(not_found)?;
    ensure_grantable(me, &role.capabilities)?;
    ensure_grantable(me, &current.capabilities)?;
    sqlx::query("UPDATE roles SET display_name = $2, capabilities = $3, updated_at = now() WHERE name = $1")
        .bind(&role.name)
        .bind(&role.display_name)
        .bind(&role.capabilities)
        .execute(&mut **tx)
        .await?;
    let event = AuditEvent::new("role.update", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("role", &role.name)
        .details(serde_json::json!({"from": current.capabilities, "to": role.capabilities}));
    audit::append(tx, &event, client).await?;
    Ok(role.into())
}

/// Deletes a custom role of capabilities `me` holds, once nobody holds it (409 `role_in_use`).
pub async fn remove(tx: &mut TenantTx, me: &Principal, client: &ClientContext, name: &str) -> ApiResult<()> {
    let current = custom_role(tx, name).await?.ok_or_else(not_found)?;
    ensure_grantable(me, &current.capabilities)?;
    let holders: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE $1 = ANY(roles)")
        .bind(name)
        .fetch_one(&mut **tx)
        .await?;
    if holders > 0 {
        return Err(ApiError::of(
            RoleCode::RoleInUse,
            format!("{holders} user(s) hold this role; reassign them first"),
        ));
    }
    sqlx::query("DELETE FROM roles WHERE name = $1")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    let event =
        AuditEvent::new("role.delete", Outcome::Success, Actor::User(*me.user_id.as_uuid())).resource("role", name);
    audit::append(tx, &event, client).await?;
    Ok(())
}

async fn custom_role(tx: &mut TenantTx, name: &str) -> ApiResult<Option<RoleView>> {
    let row: Option<(String, String, Vec<String>)> =
        sqlx::query_as("SELECT name, display_name, capabilities FROM roles WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(name, display_name, capabilities)| RoleView {
        name,
        display_name,
        capabilities,
        builtin: false,
    }))
}

fn not_found() -> ApiError {
    ApiError::of(RoleCode::RoleNotFound, "no custom role with this name")
}
