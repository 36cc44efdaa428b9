//! Which roles exist and which a principal may hand out.

use crate::access::Principal;
use crate::access::builtin_roles::builtin_role;
use crate::http::{ApiError, ApiResult, FieldError};
use crate::users::codes::UserCode;
use tenants::TenantTx;

/// The capabilities of each named role; 422 naming any role that does not exist.
pub async fn role_capabilities(tx: &mut TenantTx, roles: &[String]) -> ApiResult<Vec<String>> {
    if roles.is_empty() || roles.len() > 16 {
        return Err(ApiError::invalid_field("roles", "1 to 16 roles"));
    }
    let mut caps = Vec::new();
    let mut custom = Vec::new();
    for role in roles {
        match builtin_role(role) {
            Some(b) => caps.extend(b.capabilities.iter().map(|c| (*c).to_owned())),
            None => custom.push(role.clone()),
        }
    }
    if !custom.is_empty() {
        let found: Vec<(String, Vec<String>)> =
            sqlx::query_as("SELECT name, capabilities FROM roles WHERE name = ANY($1)")
                .bind(&custom)
                .fetch_all(&mut **tx)
                .await?;
        let unknown: Vec<FieldError> = custom
            .iter()
            .filter(|name| !found.iter().any(|(n, _)| n == *name))
            .map(|name| FieldError {
                field: "roles".into(),
                message: format!("no role named {name:?}"),
            })
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::invalid(unknown));
        }
        caps.extend(found.into_iter().flat_map(|(_, c)| c));
    }
    Ok(caps)
}

/// Nobody hands out a capability they do not hold themselves: assigning roles cannot raise
/// anyone above the one assigning them.
pub fn ensure_grantable(actor: &Principal, capabilities: &[String]) -> ApiResult<()> {
    match capabilities.iter().find(|c| !actor.has(c)) {
        None => Ok(()),
        Some(cap) => Err(ApiError::of(
            UserCode::PrivilegeEscalation,
            format!("you cannot grant the capability {cap}, which you do not hold"),
        )),
    }
}
