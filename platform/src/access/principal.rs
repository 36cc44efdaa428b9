use super::builtin_roles::builtin_role;
use super::meta_cap::{MetaCap, Required, map_meta_cap};
use crate::auth::extract::TenantUser;
use crate::auth::tokens::TenantSubject;
use crate::http::{ApiError, ApiResult};
use std::collections::HashSet;
use tenants::{TenantTx, UserId};
use uuid::Uuid;

/// A signed-in user with the capabilities of all their roles, loaded inside the request's
/// tenant transaction together with the state of their session: a role change, a
/// deactivation, a logout or a revoked session takes effect on the next request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub session_id: Uuid,
    pub roles: Vec<String>,
    /// The session was opened with a second factor.
    pub mfa: bool,
    capabilities: HashSet<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    roles: Vec<String>,
    status: String,
    session_live: Option<bool>,
    mfa: Option<bool>,
}

impl Principal {
    /// One query: the user, their roles and whether the token's session is still live.
    pub async fn load(tx: &mut TenantTx, user: &TenantUser) -> ApiResult<Self> {
        let TenantSubject { user_id, session_id } = user.subject;
        let row: Option<Row> = sqlx::query_as(
            "SELECT u.roles, u.status, s.revoked_at IS NULL AND s.expires_at > now() AS session_live, s.mfa \
             FROM users u LEFT JOIN sessions s ON s.id = $2 AND s.user_id = u.id WHERE u.id = $1",
        )
        .bind(user_id)
        .bind(session_id)
        .fetch_optional(&mut **tx)
        .await?;
        let (roles, mfa) = match row {
            None => {
                return Err(ApiError::unauthorized(
                    "invalid_token",
                    "the access token's user no longer exists",
                ));
            }
            Some(row) if row.status != "active" => {
                return Err(ApiError::unauthorized("account_disabled", "this account is disabled"));
            }
            Some(row) if row.session_live != Some(true) => {
                return Err(ApiError::unauthorized(
                    "session_ended",
                    "this session has ended; sign in again",
                ));
            }
            Some(row) => (row.roles, row.mfa.unwrap_or(false)),
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
            session_id,
            roles,
            mfa,
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
