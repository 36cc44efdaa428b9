use super::builtin_roles::builtin_role;
use super::meta_cap::{MetaCap, Required, map_meta_cap};
use crate::http::{ApiError, ApiResult};
use std::collections::HashSet;
use tenants::{TenantTx, UserId};

/// A signed-in user with the capabilities of all their roles, loaded inside the request's
/// tenant transaction, so a role change or deactivation takes effect on the next request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub roles: Vec<String>,
    capabilities: HashSet<String>,
}

impl Principal {
    pub async fn load(tx: &mut TenantTx, user_id: UserId) -> ApiResult<Self> {
        let row: Option<(Vec<String>, String)> = sqlx::query_as("SELECT roles, status FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
        let roles = match row {
            Some((roles, status)) if status == "active" => roles,
            Some(_) => return Err(ApiError::unauthorized("account_disabled", "this account is disabled")),
            None => {
                return Err(ApiError::unauthorized(
                    "invalid_token",
                    "the access token's user no longer exists",
                ));
            }
        };
        let mut capabilities = HashSet::new();
        let mut custom = Vec::new();
        for role in &roles {
            match builtin_role(role) {
                Some(builtin) => capabilities.extend(builtin.capabilities.iter().map(|c| (*c).to_owned())),
                None => custom.push(role.clone()),
            }
        }
        if !custom.is_empty() {
            let caps: Vec<Vec<String>> = sqlx::query_scalar("SELECT capabilities FROM roles WHERE name = ANY($1)")
                .bind(&custom)
                .fetch_all(&mut **tx)
                .await?;
            capabilities.extend(caps.into_iter().flatten());
        }
        Ok(Self {
            user_id,
            roles,
            capabilities,
        })
    }

    pub fn has(&self, capability: &str) -> bool {
        self.capabilities.contains(capability)
    }

    /// 403 naming the missing capability.
    pub fn require(&self, capability: &str) -> ApiResult<()> {
        if self.has(capability) {
            Ok(())
        } else {
            Err(missing(capability))
        }
    }

    /// A question about one object, answered as WordPress's `current_user_can( 'edit_post', $id )`.
    pub fn can(&self, meta: MetaCap<'_>) -> bool {
        match map_meta_cap(meta, self.user_id) {
            Required::Nobody => false,
            Required::All(caps) => caps.iter().all(|c| self.has(c)),
        }
    }

    pub fn require_meta(&self, meta: MetaCap<'_>) -> ApiResult<()> {
        match map_meta_cap(meta, self.user_id) {
            Required::Nobody => Err(ApiError::forbidden("forbidden", "nobody may do this")),
            Required::All(caps) => caps.iter().try_for_each(|c| self.require(c)),
        }
    }

    pub fn capabilities(&self) -> impl Iterator<Item = &str> {
        self.capabilities.iter().map(String::as_str)
    }
}

pub fn missing(capability: &str) -> ApiError {
    ApiError::forbidden("missing_capability", format!("this needs the capability {capability}"))
}
