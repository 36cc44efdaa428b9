//! The tenant's custom roles, as stored: listing them beside the built-in ones, defining,
//! redefining and retiring them. The caller has checked the definition and opened the
//! transaction as a user allowed to manage roles; what is checked here is what needs the
//! database (the role exists, nobody holds it) and that the user holds every capability a
//! change grants or takes away.

use crate::access::Principal;
use crate::access::builtin_roles::BUILTIN_ROLES;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::{ApiError, ApiResult};
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

/// A role definition as checked at the edge: a valid name, a trimmed display name,
/// capabilities sorted and without repeats.
pub struct CheckedRole {
    pub name: String,
    pub display_name: String,
    pub capabilities: Vec<String>,
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
pub async fn retire(tx: &mut TenantTx, me: &Principal, client: &ClientContext, name: &str) -> ApiResult<()> {
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
